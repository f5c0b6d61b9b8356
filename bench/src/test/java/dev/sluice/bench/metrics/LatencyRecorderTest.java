package dev.sluice.bench.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class LatencyRecorderTest {

  @Test
  void discardDropsTheWarmUpAndAccumulateAddsIntervals() {
    LatencyRecorder r = new LatencyRecorder("x");
    long before = System.nanoTime();
    r.record(before, before + 5_000_000);
    r.discard();
    long after = System.nanoTime();
    r.record(after, after + 1_000_000);
    assertEquals(1, r.accumulate().getTotalCount());
    r.record(after, after + 2_000_000);
    r.recordLatency(after, -7); // clock skew between threads: counts as 0
    assertEquals(2, r.accumulate().getTotalCount());
    assertEquals(3, r.total().getTotalCount());
    assertEquals(2000, r.total().getMaxValue(), 2);
  }

  @Test
  void operationsStartedDuringTheWarmUpAreNotMeasured() {
    LatencyRecorder r = new LatencyRecorder("x");
    long startedInWarmUp = System.nanoTime();
    r.discard();
    r.record(startedInWarmUp, startedInWarmUp + 3_000_000_000L); // completes after the switch
    assertEquals(0, r.accumulate().getTotalCount());
  }

  @Test
  void clampsValuesBeyondTheRange() {
    LatencyRecorder r = new LatencyRecorder("x");
    r.recordLatency(0, Long.MAX_VALUE);
    assertEquals(1, r.accumulate().getTotalCount());
  }
}
