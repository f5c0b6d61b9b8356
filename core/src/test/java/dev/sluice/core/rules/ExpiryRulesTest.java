package dev.sluice.core.rules;

import static dev.sluice.core.rules.Fx.T0;
import static dev.sluice.core.rules.Fx.TEXT;
import static dev.sluice.core.rules.Fx.appended;
import static dev.sluice.core.rules.Fx.closeOnly;
import static dev.sluice.core.rules.Fx.created;
import static dev.sluice.core.rules.Fx.post;
import static dev.sluice.core.rules.Fx.put;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.model.StreamEvent;
import dev.sluice.core.model.StreamState;
import dev.sluice.core.model.StreamStatus;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Checklist §14 TTL and Expires-At. {@code lastAccess} is the entity's in-memory last origin read. */
class ExpiryRulesTest {
  private static final long MIN = 60_000;

  private static StreamState ttl60() {
    return created(put(TEXT, 60L, null, false, null), 1, T0);
  }

  private static StreamState expiresAt(long at) {
    return created(put(TEXT, null, at, false, null), 1, T0);
  }

  @Test
  void aStreamWithoutTtlOrExpiresAtNeverExpires() {
    assertFalse(StreamRules.isExpired(created(TEXT), T0, T0 + 100L * 365 * 86_400_000));
  }

  @Test
  void aMissingStreamIsNotExpired() {
    assertFalse(StreamRules.isExpired(StreamState.EMPTY, 0, T0));
  }

  @ParameterizedTest
  @CsvSource({
    "-1, false",
    "0, true",
    "1, true",
    "86400000, true",
  })
  void expiresAtIsAHardDeadline(long relative, boolean expired) {
    long deadline = T0 + 10 * MIN;
    assertEquals(expired, StreamRules.isExpired(expiresAt(deadline), T0, deadline + relative));
  }

  @Test
  void expiresAtIsNotExtendedByReadsOrWrites() {
    long deadline = T0 + 10 * MIN;
    StreamState s = appended(expiresAt(deadline), post(TEXT, "x"), deadline - 1);
    assertTrue(StreamRules.isExpired(s, deadline - 1, deadline));
  }

  @ParameterizedTest
  @CsvSource({
    "59999, false",
    "60000, true",
    "60001, true",
  })
  void aTtlExpiresAfterThatMuchIdleTimeSinceCreation(long idle, boolean expired) {
    assertEquals(expired, StreamRules.isExpired(ttl60(), 0, T0 + idle));
  }

  @Test
  void aReadThatReachedTheOriginSlidesTheTtlWindow() {
    StreamState s = ttl60();
    long lastAccess = T0 + 30_000;
    assertFalse(StreamRules.isExpired(s, lastAccess, T0 + 60_000));
    assertFalse(StreamRules.isExpired(s, lastAccess, T0 + 89_999));
    assertTrue(StreamRules.isExpired(s, lastAccess, T0 + 90_000));
  }

  @Test
  void aWriteSlidesTheTtlWindowEvenWhenTheLastReadIsOlder() {
    StreamState s = appended(ttl60(), post(TEXT, "x"), T0 + 50_000);
    assertEquals(T0 + 50_000, s.lastWriteMillis());
    assertFalse(StreamRules.isExpired(s, T0 + 10_000, T0 + 109_999));
    assertTrue(StreamRules.isExpired(s, T0 + 10_000, T0 + 110_000));
  }

  @Test
  void aCloseSlidesTheTtlWindow() {
    StreamState s = appended(ttl60(), closeOnly(), T0 + 50_000);
    assertFalse(StreamRules.isExpired(s, 0, T0 + 100_000));
  }

  @Test
  void theLaterOfLastAccessAndLastWriteCounts() {
    StreamState s = appended(ttl60(), post(TEXT, "x"), T0 + 10_000);
    assertFalse(StreamRules.isExpired(s, T0 + 40_000, T0 + 99_999));
    assertTrue(StreamRules.isExpired(s, T0 + 40_000, T0 + 100_000));
  }

  @Test
  void aVeryLongTtlNeverExpiresInPractice() {
    StreamState s = created(put(TEXT, 10_000_000_000L, null, false, null), 1, T0); // ~317 years
    assertFalse(StreamRules.isExpired(s, T0, T0 + 100L * 365 * 86_400_000));
  }

  /**
   * BUG (checklist §14 "Expires once idle longer than TTL seconds"): http-routes accepts any
   * Stream-TTL up to Long.MAX_VALUE / 1000 (Headers.MAX_TTL_SECONDS), but isExpired computes
   * {@code last + ttlSeconds * 1000L}, which overflows to a negative deadline for TTLs near that
   * bound, so the stream counts as expired the moment it is created.
   */
  @ParameterizedTest
  @CsvSource({
    "9223372036854775", // Long.MAX_VALUE / 1000: the largest TTL the HTTP layer accepts
    "9223370236854776", // the smallest TTL that overflows with lastWrite = T0
  })
  void theLargestTtlTheHttpLayerAcceptsDoesNotOverflowIntoImmediateExpiry(long ttlSeconds) {
    StreamState s = created(put(TEXT, ttlSeconds, null, false, null), 1, T0);
    assertFalse(StreamRules.isExpired(s, T0, T0 + 1), "a stream with TTL " + ttlSeconds + " s expired 1 ms after creation");
  }

  @Test
  void whenBothAreSetTheEarlierLimitWins() {
    StreamState s = created(put(TEXT, 60L, T0 + 10_000, false, null), 1, T0);
    assertTrue(StreamRules.isExpired(s, T0 + 9_000, T0 + 10_000));
  }

  @Test
  void aSoftDeletedStreamNeverExpires() {
    StreamState s = expiresAt(T0 + 1).apply(new StreamEvent.ForkAdded("/f")).apply(new StreamEvent.SoftDeleted(T0));
    assertFalse(StreamRules.isExpired(s, 0, T0 + 100 * MIN));
    StreamState t = ttl60().apply(new StreamEvent.ForkAdded("/f")).apply(new StreamEvent.SoftDeleted(T0));
    assertFalse(StreamRules.isExpired(t, 0, T0 + 100 * MIN));
  }

  @Test
  void pinningByAForkDoesNotRefreshTheTtl() {
    StreamState s = ttl60().apply(new StreamEvent.ForkAdded("/f"));
    assertTrue(StreamRules.isExpired(s, 0, T0 + 60_000));
  }

  @Test
  void expiringAStreamWithoutForksPurgesIt() {
    StreamState s = ttl60();
    List<StreamEvent> evs = StreamRules.expire(s, T0 + MIN);
    assertEquals(List.of(new StreamEvent.Purged(1)), evs);
    assertSame(StreamState.EMPTY, Fx.apply(s, evs));
  }

  @Test
  void expiringAStreamWithForksSoftDeletesIt() {
    StreamState s = ttl60().apply(new StreamEvent.ForkAdded("/f"));
    List<StreamEvent> evs = StreamRules.expire(s, T0 + MIN);
    assertEquals(List.of(new StreamEvent.SoftDeleted(T0 + MIN)), evs);
    StreamState after = Fx.apply(s, evs);
    assertEquals(StreamStatus.SOFT_DELETED, after.status());
    assertEquals(s.readPath(), after.readPath());
    // ...and the last fork's release then purges it.
    assertEquals(List.of(new StreamEvent.ForkReleased("/f"), new StreamEvent.Purged(1)), StreamRules.releaseFork(after, "/f"));
  }

  @Test
  void anExpiredAndPurgedPathCanBeRecreatedWithAnotherConfig() {
    StreamState s = Fx.apply(ttl60(), StreamRules.expire(ttl60(), T0 + MIN));
    assertSame(StreamRules.CreateCheck.Proceed.INSTANCE, StreamRules.checkCreate(s, put("application/json")));
  }
}
