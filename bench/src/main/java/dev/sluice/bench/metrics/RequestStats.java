package dev.sluice.bench.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Outcome counters of a run: successes, bytes, responses by status, failures by kind, and the first
 * few failures in full for the report. Written by the event loop, read by the progress thread and at
 * the end. Thread-safe.
 */
public final class RequestStats {

  private static final int MAX_SAMPLES = 20;

  private final LongAdder ok = new LongAdder();
  private final LongAdder units = new LongAdder();
  private final LongAdder bytes = new LongAdder();
  private final AtomicLongArray byStatus = new AtomicLongArray(600);
  private final LongAdder badStatus = new LongAdder();
  private final LongAdder timeouts = new LongAdder();
  private final LongAdder connectionErrors = new LongAdder();
  private final LongAdder protocolErrors = new LongAdder();
  private final ConcurrentLinkedQueue<String> samples = new ConcurrentLinkedQueue<>();
  private final AtomicInteger sampleCount = new AtomicInteger();

  /** A successful response carrying {@code unitCount} units (appends, records, streams) and {@code byteCount} bytes. */
  public void success(int status, long unitCount, long byteCount) {
    ok.increment();
    units.add(unitCount);
    bytes.add(byteCount);
    countStatus(status);
  }

  /** A response with an unexpected status. */
  public void badStatus(int status, String what) {
    badStatus.increment();
    countStatus(status);
    sample("HTTP " + status + " " + what);
  }

  public void timeout(String what) {
    timeouts.increment();
    sample("timeout: " + what);
  }

  public void connectionError(String what) {
    connectionErrors.increment();
    sample("connection: " + what);
  }

  /** A well-formed response whose content broke the protocol (bad offsets, lost or duplicate events...). */
  public void protocolError(String what) {
    protocolErrors.increment();
    sample("protocol: " + what);
  }

  private void countStatus(int status) {
    if (status >= 0 && status < 600) byStatus.incrementAndGet(status);
  }

  private void sample(String s) {
    if (sampleCount.getAndIncrement() < MAX_SAMPLES) samples.add(s);
  }

  public long ok() {
    return ok.sum();
  }

  public long units() {
    return units.sum();
  }

  public long bytes() {
    return bytes.sum();
  }

  public long errors() {
    return badStatus.sum() + timeouts.sum() + connectionErrors.sum() + protocolErrors.sum();
  }

  /** Point-in-time copy, so the measured phase can be reported as {@code end.minus(start)}. */
  public Snapshot snapshot() {
    Map<Integer, Long> statuses = new TreeMap<>();
    for (int s = 0; s < 600; s++) {
      long n = byStatus.get(s);
      if (n != 0) statuses.put(s, n);
    }
    return new Snapshot(ok.sum(), units.sum(), bytes.sum(), badStatus.sum(), timeouts.sum(),
        connectionErrors.sum(), protocolErrors.sum(), statuses);
  }

  public List<String> samples() {
    return new ArrayList<>(samples);
  }

  /** Counter values at one moment. */
  public record Snapshot(long ok, long units, long bytes, long badStatus, long timeouts, long connectionErrors,
                         long protocolErrors, Map<Integer, Long> byStatus) {

    public static final Snapshot ZERO = new Snapshot(0, 0, 0, 0, 0, 0, 0, Map.of());

    public long errors() {
      return badStatus + timeouts + connectionErrors + protocolErrors;
    }

    public Snapshot minus(Snapshot o) {
      Map<Integer, Long> m = new TreeMap<>(byStatus);
      o.byStatus.forEach((k, v) -> m.merge(k, -v, Long::sum));
      m.values().removeIf(v -> v == 0);
      return new Snapshot(ok - o.ok, units - o.units, bytes - o.bytes, badStatus - o.badStatus,
          timeouts - o.timeouts, connectionErrors - o.connectionErrors, protocolErrors - o.protocolErrors, m);
    }
  }
}
