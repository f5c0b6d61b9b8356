package dev.sluice.core.rules;

/**
 * Live-read cursors (PROTOCOL.md §8 "Caching and collapsing"): the 20 s interval number since
 * 2024-10-09T00:00:00Z. When the client echoes a cursor at or past the current interval, the
 * server answers with a strictly greater one, jittered, so CDN-collapsed requests do not loop.
 */
public final class Cursors {
  public static final long EPOCH_MILLIS = 1728432000000L; // 2024-10-09T00:00:00Z
  public static final long INTERVAL_MILLIS = 20_000;

  private Cursors() {}

  public static long currentInterval(long nowMillis) {
    return Math.floorDiv(nowMillis - EPOCH_MILLIS, INTERVAL_MILLIS);
  }

  /**
   * @param clientCursor the {@code cursor} query value, or null
   * @param jitterSeconds uniform in 1..3600, chosen by the caller
   */
  public static long responseCursor(String clientCursor, long nowMillis, long jitterSeconds) {
    long current = currentInterval(nowMillis);
    Long client = parse(clientCursor);
    if (client == null || client < current) return current;
    long step = Math.max(1, (jitterSeconds * 1000 + INTERVAL_MILLIS - 1) / INTERVAL_MILLIS);
    return client + step;
  }

  private static Long parse(String s) {
    if (s == null || s.isEmpty() || s.length() > 18) return null;
    for (int i = 0; i < s.length(); i++) if (s.charAt(i) < '0' || s.charAt(i) > '9') return null;
    return Long.parseLong(s);
  }
}
