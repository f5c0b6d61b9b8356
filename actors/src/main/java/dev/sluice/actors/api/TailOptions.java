package dev.sluice.actors.api;

import java.time.Duration;

/**
 * Limits of a live tail ({@link SluiceStreams#tail(String, long, TailOptions)}). Start from
 * {@link #DEFAULTS} and change what you need: {@code TailOptions.DEFAULTS.withMaxDuration(Duration.ofMinutes(5))}.
 *
 * @param keepAlive after this long without new data, the tail emits another empty "caught up"
 *     chunk (a heartbeat the reader can use to notice the tail is alive)
 * @param maxDuration the tail completes after this long, wherever it is; null = only when the
 *     stream is closed and fully read (or deleted, or the node shuts down)
 * @param maxChunkBytes data bound of one chunk, in bytes (whole units: a chunk always carries at
 *     least one unit, even a larger one)
 */
public record TailOptions(Duration keepAlive, Duration maxDuration, int maxChunkBytes) {
  /** Keep-alive every 30 s, no time limit, chunks of at most 1 MiB. */
  public static final TailOptions DEFAULTS = new TailOptions(Duration.ofSeconds(30), null, 1 << 20);

  public TailOptions {
    if (keepAlive == null || keepAlive.isZero() || keepAlive.isNegative()) {
      throw new IllegalArgumentException("keepAlive must be > 0, was " + keepAlive);
    }
    if (maxDuration != null && (maxDuration.isZero() || maxDuration.isNegative())) {
      throw new IllegalArgumentException("maxDuration must be > 0 or null (no limit), was " + maxDuration);
    }
    if (maxChunkBytes <= 0) throw new IllegalArgumentException("maxChunkBytes must be > 0, was " + maxChunkBytes);
  }

  public TailOptions withKeepAlive(Duration keepAlive) {
    return new TailOptions(keepAlive, maxDuration, maxChunkBytes);
  }

  public TailOptions withMaxDuration(Duration maxDuration) {
    return new TailOptions(keepAlive, maxDuration, maxChunkBytes);
  }

  public TailOptions withMaxChunkBytes(int maxChunkBytes) {
    return new TailOptions(keepAlive, maxDuration, maxChunkBytes);
  }
}
