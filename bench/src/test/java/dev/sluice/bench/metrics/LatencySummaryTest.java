package dev.sluice.bench.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class LatencySummaryTest {

  @Test
  void summarisesMicrosecondsAsMilliseconds() {
    Histogram h = new Histogram(1, LatencyRecorder.HIGHEST_MICROS, 3);
    for (int i = 1; i <= 1000; i++) h.recordValue(i * 1000L); // 1..1000 ms
    LatencySummary s = LatencySummary.of(h);
    assertEquals(1000, s.count());
    assertEquals(500, s.p50(), 1);
    assertEquals(990, s.p99(), 1);
    assertEquals(999, s.p999(), 1);
    assertEquals(1000, s.max(), 1);
    assertEquals(500.5, s.mean(), 1);
  }

  @Test
  void curveRisesInBothPercentileAndLatencyAndEndsAtTheMax() {
    Histogram h = new Histogram(1, LatencyRecorder.HIGHEST_MICROS, 3);
    for (int i = 0; i < 10_000; i++) h.recordValue(100 + i % 977);
    h.recordValue(50_000);
    List<double[]> curve = LatencySummary.of(h).curve();
    assertTrue(curve.size() > 10);
    for (int i = 1; i < curve.size(); i++) {
      assertTrue(curve.get(i)[0] > curve.get(i - 1)[0]);
      assertTrue(curve.get(i)[1] >= curve.get(i - 1)[1]);
    }
    assertEquals(100.0, curve.get(curve.size() - 1)[0]);
    assertEquals(50.0, curve.get(curve.size() - 1)[1], 0.1);
  }

  @Test
  void emptyHistogramGivesTheEmptySummary() {
    assertSame(LatencySummary.EMPTY, LatencySummary.of(new Histogram(3)));
    assertEquals("no samples", LatencySummary.EMPTY.brief());
  }

  @Test
  void formatsWithSensiblePrecision() {
    assertEquals("0.183 ms", LatencySummary.fmt(0.1834));
    assertEquals("4.21 ms", LatencySummary.fmt(4.2149));
    assertEquals("15.3 ms", LatencySummary.fmt(15.26));
    assertEquals("153 ms", LatencySummary.fmt(153.4));
  }
}
