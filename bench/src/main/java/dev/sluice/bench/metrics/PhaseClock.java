package dev.sluice.bench.metrics;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;

/**
 * Runs the warm-up and measured phases on the calling thread while the event loop generates load:
 * prints one progress line per second, discards what the warm-up recorded, and returns the
 * counters and latency totals of the measured phase.
 */
public final class PhaseClock {

  /**
   * How to present a run's progress.
   *
   * @param label    prefix of each line, e.g. {@code append sluice}
   * @param unit     what the throughput counts (from {@link RequestStats#units()}), e.g. {@code appends}
   * @param megabytes report throughput as MB/s of {@link RequestStats#bytes()} instead of units/s
   * @param serverPids the server's processes (the nodes of a cluster), for the CPU breakdown (empty = unknown)
   * @param window   split the measured phase into windows this long ({@code --window}); zero = one whole
   */
  public record Display(String label, String unit, boolean megabytes, boolean quiet, List<Long> serverPids, Duration window) {
    public Display {
      serverPids = List.copyOf(serverPids);
      if (window == null) window = Duration.ZERO;
    }

    public Display(String label, String unit, boolean megabytes, boolean quiet, List<Long> serverPids) {
      this(label, unit, megabytes, quiet, serverPids, Duration.ZERO);
    }
  }

  /**
   * The measured phase: its counters, its length, each recorder's total, where the CPU went, and
   * the windows when {@link Display#window()} asked for them (else empty), with the unit they count.
   */
  public record Measured(RequestStats.Snapshot counts, long elapsedNanos, List<Histogram> latencies, CpuUsage cpu,
                         List<Windows.Window> windows, String unit) {
    public Measured(RequestStats.Snapshot counts, long elapsedNanos, List<Histogram> latencies, CpuUsage cpu) {
      this(counts, elapsedNanos, latencies, cpu, List.of(), "");
    }

    public double seconds() {
      return elapsedNanos / 1e9;
    }
  }

  private PhaseClock() {}

  /**
   * @param extra    appended to each progress line (in-flight counts, deliveries...); may be null
   * @param finished ends the measured phase early when true (checked every 50 ms); may be null
   */
  public static Measured run(Display display, Duration warmup, Duration duration, RequestStats stats,
                             List<LatencyRecorder> recorders, Supplier<String> extra, BooleanSupplier finished) {
    return run(display, warmup, duration, stats, recorders, extra, finished, null, null);
  }

  /**
   * As above; {@code atStart} runs when the measured phase begins (after the warm-up's values were
   * dropped), {@code atEnd} when it is over, just before the last values are collected. Either may be null.
   */
  public static Measured run(Display display, Duration warmup, Duration duration, RequestStats stats,
                             List<LatencyRecorder> recorders, Supplier<String> extra, BooleanSupplier finished,
                             Runnable atStart, Runnable atEnd) {
    long t0 = System.nanoTime();
    RequestStats.Snapshot prev = stats.snapshot();
    long warmEnd = t0 + warmup.toNanos();
    long tick = t0;
    while (!warmup.isZero()) {
      tick = Math.min(tick + 1_000_000_000L, warmEnd);
      sleepUntil(tick, null);
      RequestStats.Snapshot now = stats.snapshot();
      Histogram h = recorders.isEmpty() ? null : recorders.get(0).interval();
      print(display, "warmup", (tick - t0) / 1e9, now.minus(prev), 1.0, h, extra);
      prev = now;
      if (tick >= warmEnd) break;
    }
    long measureFrom = System.nanoTime(); // one instant for every recorder, so their counts add up
    for (LatencyRecorder r : recorders) r.discard(measureFrom);
    if (atStart != null) atStart.run();
    CpuUsage.Sample cpuStart = CpuUsage.sample(display.serverPids());
    RequestStats.Snapshot start = stats.snapshot();
    prev = start;
    long mStart = System.nanoTime();
    long mEnd = mStart + duration.toNanos();
    long lastTick = mStart;
    long end;
    CpuUsage.Sample cpuEnd = null;
    Windows windows = display.window().isZero() ? null : new Windows(display.window().toNanos());
    while (true) {
      long next = Math.min(lastTick + 1_000_000_000L, mEnd);
      boolean early = sleepUntil(next, finished);
      long now = System.nanoTime();
      boolean last = early || now >= mEnd;
      if (last && atEnd != null) atEnd.run();
      CpuUsage.Sample cpuNow = last ? CpuUsage.sample(display.serverPids()) : null;
      if (last) cpuEnd = cpuNow;
      List<Histogram> intervals = new ArrayList<>();
      for (LatencyRecorder r : recorders) intervals.add(r.accumulate());
      RequestStats.Snapshot snap = stats.snapshot();
      double secs = (now - lastTick) / 1e9;
      RequestStats.Snapshot delta = snap.minus(prev);
      print(display, "run", (now - mStart) / 1e9, delta, secs, intervals.isEmpty() ? null : intervals.get(0), extra);
      if (windows != null) {
        windows.tick(now - mStart, display.megabytes() ? delta.bytes() : delta.units(), delta.errors(),
            intervals.isEmpty() ? null : intervals.get(0), last);
      }
      prev = snap;
      lastTick = now;
      if (last) {
        end = now;
        break;
      }
    }
    List<Histogram> totals = new ArrayList<>();
    for (LatencyRecorder r : recorders) totals.add(r.total().copy());
    return new Measured(prev.minus(start), end - mStart, totals, CpuUsage.between(cpuStart, cpuEnd, !display.serverPids().isEmpty()),
        windows == null ? List.of() : windows.closed(), display.megabytes() ? "bytes" : display.unit());
  }

  /** Sleeps until {@code deadline}; returns true if {@code finished} became true first. */
  private static boolean sleepUntil(long deadline, BooleanSupplier finished) {
    while (true) {
      if (finished != null && finished.getAsBoolean()) return true;
      long left = deadline - System.nanoTime();
      if (left <= 0) return false;
      LockSupport.parkNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)));
    }
  }

  private static void print(Display d, String phase, double t, RequestStats.Snapshot delta, double secs,
                            Histogram h, Supplier<String> extra) {
    if (d.quiet()) return;
    StringBuilder sb = new StringBuilder(160);
    sb.append(String.format("[%s] %-6s %5.1fs  ", d.label(), phase, t));
    if (d.megabytes()) {
      sb.append(String.format("%8.1f MB/s", delta.bytes() / 1e6 / secs));
    } else {
      sb.append(String.format("%,9.0f %s/s", delta.units() / secs, d.unit()));
    }
    if (h != null && h.getTotalCount() > 0) {
      sb.append("  ").append(LatencySummary.of(h).brief());
    }
    sb.append("  errors ").append(delta.errors());
    if (extra != null) {
      String e = extra.get();
      if (e != null && !e.isEmpty()) sb.append("  ").append(e);
    }
    System.err.println(sb);
  }
}
