package dev.sluice.bench.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

class RequestStatsTest {

  @Test
  void snapshotsSubtractToTheMeasuredPhase() {
    RequestStats s = new RequestStats();
    s.success(204, 1, 256);
    RequestStats.Snapshot start = s.snapshot();
    s.success(204, 10, 2560);
    s.badStatus(409, "POST /x: conflict");
    s.timeout("POST /y");
    s.connectionError("reset");
    s.protocolError("lost event");
    RequestStats.Snapshot d = s.snapshot().minus(start);
    assertEquals(1, d.ok());
    assertEquals(10, d.units());
    assertEquals(2560, d.bytes());
    assertEquals(4, d.errors());
    assertEquals(Map.of(204, 1L, 409, 1L), d.byStatus());
    assertEquals(4, s.samples().size());
    assertEquals("HTTP 409 POST /x: conflict", s.samples().get(0));
  }

  @Test
  void keepsOnlyTheFirstSamples() {
    RequestStats s = new RequestStats();
    for (int i = 0; i < 100; i++) s.timeout("t" + i);
    assertEquals(20, s.samples().size());
    assertEquals(100, s.errors());
  }
}
