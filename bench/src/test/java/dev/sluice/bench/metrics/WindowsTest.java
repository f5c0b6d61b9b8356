package dev.sluice.bench.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class WindowsTest {

  private static final long S = 1_000_000_000L;

  private static Histogram latencies(long... micros) {
    Histogram h = new Histogram(1, LatencyRecorder.HIGHEST_MICROS, 3);
    for (long m : micros) h.recordValue(m);
    return h;
  }

  @Test
  void ticksAddUpIntoWindowsThatCloseOnTheFirstTickAtOrAfterTheirEnd() {
    Windows w = new Windows(2 * S);
    w.tick(S, 100, 1, latencies(1000), false);
    w.tick(2 * S + 10_000_000, 300, 0, latencies(9000), false); // closes 0-2 s, 2.01 s long
    w.tick(3 * S, 50, 0, latencies(500), false);
    w.tick(4 * S + 10_000_000, 50, 2, null, false);              // closes 2-4 s, 2.0 s long
    List<Windows.Window> closed = w.closed();
    assertEquals(2, closed.size());
    Windows.Window first = closed.get(0);
    assertEquals("0-2 s", first.span());
    assertEquals(400, first.units());
    assertEquals(1, first.errors());
    assertEquals(2, first.latency().getTotalCount());
    assertEquals(400 / 2.01, first.rate(), 1e-9);
    Windows.Window second = closed.get(1);
    assertEquals("2-4 s", second.span());
    assertEquals(100, second.units());
    assertEquals(2, second.errors());
    assertEquals(1, second.latency().getTotalCount());
    assertEquals(100 / 2.0, second.rate(), 1e-9);
  }

  @Test
  void theLastTickClosesAShortWindowWithItsRealEnd() {
    Windows w = new Windows(10 * S);
    w.tick(S, 10, 0, null, false);
    w.tick(3 * S, 20, 0, null, true);
    Windows.Window only = w.closed().get(0);
    assertEquals("0-3 s", only.span());
    assertEquals(10.0, only.rate(), 1e-9);
  }

  @Test
  void aLastTickJustPastAWholeSecondIsLabelledWithOneDecimal() {
    Windows w = new Windows(2 * S);
    w.tick(2 * S + 5_000_000, 1, 0, null, false);
    w.tick(3 * S + 182_213, 1, 0, null, true);
    assertEquals("2-3.0 s", w.closed().get(1).span());
  }

  @Test
  void aWindowMustBePositive() {
    assertThrows(IllegalArgumentException.class, () -> new Windows(0));
  }
}
