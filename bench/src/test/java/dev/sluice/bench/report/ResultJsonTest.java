package dev.sluice.bench.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ResultJsonTest {

  @Test
  void roundTripsEveryField() {
    ScenarioResult r = Results.append("sluice", 25_000, 4.2, List.of("3 responses with an unexpected status"));
    ScenarioResult back = ResultJson.read(ResultJson.write(r));
    assertEquals(r.name(), back.name());
    assertEquals(r.label(), back.label());
    assertEquals(r.params(), back.params());
    assertEquals(r.metrics(), back.metrics());
    assertEquals(r.counts(), back.counts());
    assertEquals(r.problems(), back.problems());
    assertEquals(r.samples(), back.samples());
    assertEquals(r.latencies().keySet(), back.latencies().keySet());
    assertEquals(r.latencies().get("append").p99(), back.latencies().get("append").p99());
    assertArrayEquals(r.latencies().get("append").curve().get(2), back.latencies().get("append").curve().get(2));
  }

  @Test
  void missingValuesSurviveAsNaN() {
    ScenarioResult r = Results.append("x", Double.NaN, 1, List.of());
    String json = ResultJson.write(r);
    assertTrue(json.contains("\"value\" : null"));
    assertTrue(Double.isNaN(ResultJson.read(json).metric("throughput").value()));
  }

  @Test
  void rejectsOtherJson() {
    assertThrows(IllegalArgumentException.class, () -> ResultJson.read("{\"hello\":1}"));
    assertThrows(IllegalArgumentException.class, () -> ResultJson.read("not json"));
  }
}
