package dev.sluice.core.protocol;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Checklist §5 header constraints that the claim record itself enforces. */
class ProducerClaimTest {

  @Test
  void maxSafeIntegerIsTwoToTheFiftyThreeMinusOne() {
    assertEquals(9_007_199_254_740_991L, ProducerClaim.MAX_SAFE_INTEGER);
  }

  @Test
  void producerIdMustBeNonEmpty() {
    assertThrows(IllegalArgumentException.class, () -> new ProducerClaim(null, 0, 0));
    assertThrows(IllegalArgumentException.class, () -> new ProducerClaim("", 0, 0));
  }

  @Test
  void epochAndSeqMustBeNonNegative() {
    assertThrows(IllegalArgumentException.class, () -> new ProducerClaim("p", -1, 0));
    assertThrows(IllegalArgumentException.class, () -> new ProducerClaim("p", 0, -1));
  }

  @Test
  void zeroAndMaxSafeValuesAreValid() {
    assertDoesNotThrow(() -> new ProducerClaim("p", 0, 0));
    assertDoesNotThrow(() -> new ProducerClaim("p", ProducerClaim.MAX_SAFE_INTEGER, ProducerClaim.MAX_SAFE_INTEGER));
  }
}
