package dev.sluice.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ComparisonTest {

  @Test
  void mediansOddAndEvenCounts() {
    assertEquals(2.0, Comparison.median(3, 1, 2));
    assertEquals(2.5, Comparison.median(4, 1, 3, 2));
    assertTrue(Double.isNaN(Comparison.median()));
  }

  @Test
  void ratiosAreValueOverBaseline() {
    assertEquals("0.50x", Comparison.ratio(5.0, 10.0));
    assertEquals("–", Comparison.ratio(5.0, 0.0));
    assertEquals("–", Comparison.ratio(null, 1.0));
  }

  @Test
  void oneRowPerMetricWithMediansAndRatioColumnsAgainstTheBaseline() {
    Comparison c = Comparison.of(List.of(
        Results.append("noop", 40_000, 2, List.of()),
        Results.append("sluice", 20_000, 4, List.of()),
        Results.append("sluice", 30_000, 6, List.of()),
        Results.append("sluice", 25_000, 5, List.of()),
        Results.append("node-file", 5_000, 50, List.of("3 responses with an unexpected status"))), "sluice");
    assertEquals(List.of("sluice", "noop", "node-file"), c.labels());
    Comparison.Row throughput = c.rows().get(0);
    assertEquals(25_000, throughput.medians().get("sluice"));
    assertEquals(3, throughput.runs().get("sluice"));
    String md = c.markdown();
    String[] lines = md.split("\n");
    assertEquals("| scenario | metric | sluice | noop | ÷ sluice | node-file | ÷ sluice |", lines[0]);
    assertEquals("|---|---|---:|---:|---:|---:|---:|", lines[1]);
    assertEquals("| append-s100-c256-closed | appends/s ↑ | 25,000 | 40,000 | 1.60x | 5,000 | 0.20x |", lines[2]);
    assertEquals("|  | p99 ms ↓ | 5 | 2 | 0.40x | 50 | 10.00x |", lines[3]);
    assertTrue(md.contains("Values are medians of 3 runs."));
    String problems = c.problemsMarkdown();
    assertTrue(problems.contains("**node-file** `append-s100-c256-closed`"));
    assertTrue(problems.contains("HTTP 500 POST /v1/stream/x: boom"));
    assertEquals(25_000, c.representative("append-s100-c256-closed", "sluice").metric("throughput").value());
  }

  @Test
  void onlyKeepsTheChosenMetrics() {
    Comparison c = Comparison.of(List.of(Results.append("single", 20_000, 4, List.of()), Results.append("rf3", 10_000, 8, List.of())),
        "single").only(List.of("throughput"));
    assertEquals(1, c.rows().size());
    String[] lines = c.markdown().split("\n");
    assertEquals("| append-s100-c256-closed | appends/s ↑ | 20,000 | 10,000 | 0.50x |", lines[2]);
    assertTrue(lines[3].isEmpty());
  }

  @Test
  void aServerWithoutAResultShowsNotAvailable() {
    ScenarioResult other = new ScenarioResult("fanout-sub1000-r20", "fanout", "sluice", "u", "t", 1, new java.util.LinkedHashMap<>(),
        List.of(new Metric("delivered", "delivered %", 100, true)), new java.util.LinkedHashMap<>(),
        dev.sluice.bench.metrics.RequestStats.Snapshot.ZERO, List.of(), List.of());
    Comparison c = Comparison.of(List.of(other, Results.append("noop", 1, 1, List.of()), Results.append("sluice", 1, 1, List.of())), "sluice");
    String fanoutRow = c.markdown().lines().filter(l -> l.startsWith("| fanout")).findFirst().orElseThrow();
    assertEquals("| fanout-sub1000-r20 | delivered % ↑ | 100 | n/a | – |", fanoutRow);
  }
}
