package dev.sluice.bench.metrics;

import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * Splits the measured phase into fixed windows ({@code --window 10s}) and keeps each window's
 * throughput, errors and latency distribution, so a run against a server started just before shows
 * how the server warms up (JIT compilation, class loading) instead of one average over the minute.
 *
 * <p>Fed by the progress clock once per tick; a window closes on the first tick at or after its
 * nominal end, so its real span (used for its rate) can be a few milliseconds longer. Owned by one
 * thread (the progress clock); not thread-safe.
 */
public final class Windows {

  /**
   * One closed window.
   *
   * @param index       0 for the first window
   * @param nominalFrom start in seconds since the measured phase began, a multiple of the window
   * @param nominalTo   nominal end in seconds
   * @param seconds     real length in seconds (from the tick that opened it to the one that closed it)
   * @param units       units completed (appends, records...)
   * @param errors      errors in it
   * @param latency     latencies recorded in it (microseconds)
   */
  public record Window(int index, double nominalFrom, double nominalTo, double seconds, long units, long errors,
                       Histogram latency) {
    public double rate() {
      return seconds > 0 ? units / seconds : 0;
    }

    /** {@code 0-10 s}: the label of this window in reports. */
    public String span() {
      return trim(nominalFrom) + "-" + trim(nominalTo) + " s";
    }

    /** Whole seconds as {@code 10}, else one decimal ({@code 5.0} for a last tick at 5.0002 s). */
    private static String trim(double s) {
      return s == Math.rint(s) ? Long.toString((long) s) : String.format(java.util.Locale.ROOT, "%.1f", s);
    }
  }

  private final long windowNanos;
  private final List<Window> closed = new ArrayList<>();
  private Histogram latency = new Histogram(1, LatencyRecorder.HIGHEST_MICROS, 3);
  private long openedAt;
  private long units;
  private long errors;

  /** @param windowNanos length of a window; must be positive */
  public Windows(long windowNanos) {
    if (windowNanos <= 0) throw new IllegalArgumentException("window must be positive: " + windowNanos);
    this.windowNanos = windowNanos;
  }

  /**
   * Adds one tick that ended {@code atNanos} after the measured phase began.
   *
   * @param interval latencies of the tick, or null when the scenario records none
   * @param last     the measured phase ends with this tick: close the open window whatever its length
   */
  public void tick(long atNanos, long unitsInTick, long errorsInTick, Histogram interval, boolean last) {
    units += unitsInTick;
    errors += errorsInTick;
    if (interval != null) latency.add(interval);
    long nominalEnd = (closed.size() + 1L) * windowNanos;
    if (atNanos >= nominalEnd || last) {
      int i = closed.size();
      double from = i * windowNanos / 1e9;
      double to = Math.min(nominalEnd, Math.max(atNanos, i * windowNanos)) / 1e9;
      if (atNanos > openedAt) {
        closed.add(new Window(i, from, to, (atNanos - openedAt) / 1e9, units, errors, latency));
      }
      latency = new Histogram(1, LatencyRecorder.HIGHEST_MICROS, 3);
      openedAt = atNanos;
      units = 0;
      errors = 0;
    }
  }

  /** The windows closed so far, oldest first. */
  public List<Window> closed() {
    return List.copyOf(closed);
  }
}
