package dev.sluice.bench.metrics;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * A named latency distribution in microseconds (1 µs to 1 h, 3 significant digits), written by the
 * event loop and read once a second by the progress thread.
 *
 * <p>Thread-safe: {@link #record} is wait-free for the single writer, {@link #interval} swaps
 * the active histogram (HdrHistogram {@link Recorder}); {@link #total} accumulates the intervals of
 * the measured phase and is owned by the reader.
 */
public final class LatencyRecorder {

  static final long HIGHEST_MICROS = 3_600_000_000L;

  private final String name;
  private final Recorder recorder = new Recorder(1, HIGHEST_MICROS, 3);
  private final Histogram total = new Histogram(1, HIGHEST_MICROS, 3);
  private Histogram recycled;
  private volatile boolean gated;
  private volatile long notBefore;

  public LatencyRecorder(String name) {
    this.name = name;
  }

  public String name() {
    return name;
  }

  /**
   * Records {@code endNanos - startNanos} ({@link System#nanoTime()} values), unless the operation
   * started before the measured phase: a request sent during the warm-up must not bring its
   * cold-server latency into the measurement just because it completed after the switch.
   * Negative latencies count as 0 µs, values beyond 1 h as 1 h.
   */
  public void record(long startNanos, long endNanos) {
    recordLatency(startNanos, endNanos - startNanos);
  }

  /** Records {@code latencyNanos} for an operation that started at {@code startNanos} (gated as in {@link #record}). */
  public void recordLatency(long startNanos, long latencyNanos) {
    if (gated && startNanos - notBefore < 0) return;
    long micros = Math.max(0, latencyNanos / 1000);
    recorder.recordValue(Math.min(HIGHEST_MICROS, micros));
  }

  /** The values recorded since the previous call. Reader thread. */
  public Histogram interval() {
    recycled = recorder.getIntervalHistogram(recycled);
    return recycled;
  }

  /** Drops everything recorded so far and ignores operations started before now (end of warm-up). Reader thread. */
  public void discard() {
    discard(System.nanoTime());
  }

  /** As {@link #discard()}, ignoring operations started before {@code notBeforeNanos} (one instant for several recorders). */
  public void discard(long notBeforeNanos) {
    notBefore = notBeforeNanos;
    gated = true;
    interval();
    total.reset();
  }

  /** Adds the values since the previous call to the total and returns them. Reader thread. */
  public Histogram accumulate() {
    Histogram h = interval();
    total.add(h);
    return h;
  }

  /** Everything accumulated in the measured phase. Reader thread. */
  public Histogram total() {
    return total;
  }
}
