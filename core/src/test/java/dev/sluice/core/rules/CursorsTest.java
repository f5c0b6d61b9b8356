package dev.sluice.core.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

/** Checklist §13 cursor generation and monotonicity. */
class CursorsTest {
  private static final long EPOCH = Cursors.EPOCH_MILLIS;
  private static final long NOW = EPOCH + 1_000L * 20_000 + 7_000; // interval 1000, 7 s into it

  @Test
  void epochIsOctoberNinth2024AtMidnightUtcAndIntervalIsTwentySeconds() {
    assertEquals(Instant.parse("2024-10-09T00:00:00Z").toEpochMilli(), Cursors.EPOCH_MILLIS);
    assertEquals(20_000, Cursors.INTERVAL_MILLIS);
  }

  @ParameterizedTest
  @CsvSource({
    "0, 0",
    "19999, 0",
    "20000, 1",
    "39999, 1",
    "40000, 2",
    "3600000, 180",
    "86400000, 4320",
  })
  void currentIntervalIsFloorOfElapsedOverTwentySeconds(long sinceEpoch, long expected) {
    assertEquals(expected, Cursors.currentInterval(EPOCH + sinceEpoch));
  }

  @Test
  void currentIntervalForAKnownDate() {
    long now = Instant.parse("2025-01-01T00:00:00Z").toEpochMilli();
    // 84 days from 2024-10-09 to 2025-01-01: 84 * 86400 / 20
    assertEquals(84L * 86_400 / 20, Cursors.currentInterval(now));
  }

  @ParameterizedTest
  @NullAndEmptySource
  void withoutAClientCursorTheCurrentIntervalIsReturned(String cursor) {
    assertEquals(1000, Cursors.responseCursor(cursor, NOW, 1800));
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "1", "999", "0999"})
  void anOlderClientCursorGetsTheCurrentInterval(String cursor) {
    assertEquals(1000, Cursors.responseCursor(cursor, NOW, 1800));
  }

  @ParameterizedTest
  @ValueSource(strings = {"abc", "-5", "-1000", "1.5", " 1000", "1000 ", "+1000", "1e3", "10_00", "1234567890123456789",
    "99999999999999999999", "\uFF11\uFF10\uFF10\uFF10", "0x3e8"})
  void anInvalidClientCursorGetsTheCurrentInterval(String cursor) {
    assertEquals(1000, Cursors.responseCursor(cursor, NOW, 1800));
  }

  @ParameterizedTest
  @CsvSource({
    "1, 1",
    "19, 1",
    "20, 1",
    "21, 2",
    "40, 2",
    "41, 3",
    "1800, 90",
    "3599, 180",
    "3600, 180",
  })
  void aClientCursorAtTheCurrentIntervalAdvancesByTheCeilingOfJitterOverInterval(long jitterSeconds, long step) {
    assertEquals(1000 + step, Cursors.responseCursor("1000", NOW, jitterSeconds));
  }

  @Test
  void aClientCursorAheadOfTheCurrentIntervalAdvancesFromTheClientCursor() {
    assertEquals(5000 + 1, Cursors.responseCursor("5000", NOW, 5));
    assertEquals(5000 + 180, Cursors.responseCursor("5000", NOW, 3600));
  }

  @Test
  void theResponseIsStrictlyGreaterThanACurrentOrFutureClientCursorForEveryJitter() {
    for (long jitterSeconds = 1; jitterSeconds <= 3600; jitterSeconds++) {
      checkStrictlyGreater(jitterSeconds);
    }
  }

  private static void checkStrictlyGreater(long jitterSeconds) {
    for (long client : new long[] {1000, 1001, 123_456}) {
      long got = Cursors.responseCursor(Long.toString(client), NOW, jitterSeconds);
      assertTrue(got > client, () -> "cursor " + got + " not > " + client + " for jitter " + jitterSeconds);
      assertTrue(got <= client + 180, () -> "cursor jumped more than 3600 s: " + got);
    }
  }

  @Test
  void theResponseIsNeverBelowTheCurrentInterval() {
    for (String client : new String[] {null, "0", "999", "1000", "1001", "junk"}) {
      assertTrue(Cursors.responseCursor(client, NOW, 1) >= Cursors.currentInterval(NOW));
    }
  }

  @Test
  void theResponseCursorIsDecimalDigits() {
    assertTrue(Long.toString(Cursors.responseCursor(null, NOW, 1)).matches("\\d+"));
    assertTrue(Long.toString(Cursors.responseCursor("1000", NOW, 3600)).matches("\\d+"));
  }
}
