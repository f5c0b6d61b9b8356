package dev.sluice.core.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Checklist §1 sentinels {@code -1} and {@code now}; the reference grammar {@code ^(-1|now|\d+_\d+)$}. */
class ReadFromTest {

  @Test
  void minusOneMeansStartOfStream() {
    assertSame(ReadFrom.Start.INSTANCE, ReadFrom.parseOrNull("-1"));
  }

  @Test
  void nowMeansCurrentTail() {
    assertSame(ReadFrom.Now.INSTANCE, ReadFrom.parseOrNull("now"));
  }

  @Test
  void aConcreteOffsetIsAnAt() {
    assertEquals(new ReadFrom.At(Offset.at(17)), ReadFrom.parseOrNull("0000000000000000_0000000000000017"));
    assertEquals(new ReadFrom.At(Offset.ZERO), ReadFrom.parseOrNull("0000000000000000_0000000000000000"));
  }

  @Test
  void nullIsNotParsed() {
    assertNull(ReadFrom.parseOrNull(null));
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "", " ", "NOW", "Now", "now ", " now", "-1 ", " -1", "-01", "-2", "-0", "--1", "+1", "1",
    "-1,now", "now/", "-1\n", "now\u0000", "latest", "0", "-1_1",
    "0000000000000000_0000000000000000,0000000000000000_0000000000000001",
    "../0000000000000000_0000000000000000",
  })
  void malformedValuesAreRejected(String raw) {
    assertNull(ReadFrom.parseOrNull(raw), () -> "should reject [" + raw + "]");
  }
}
