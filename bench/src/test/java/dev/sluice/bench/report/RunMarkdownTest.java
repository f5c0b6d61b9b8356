package dev.sluice.bench.report;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class RunMarkdownTest {

  @Test
  void rendersParametersMetricsLatenciesAndProblems() {
    String md = RunMarkdown.render(Results.append("sluice", 25_000, 4.2, List.of("3 responses with an unexpected status")));
    assertTrue(md.startsWith("## append-s100-c256-closed — sluice\n"));
    assertTrue(md.contains("Parameters: streams=100, connections=256"));
    assertTrue(md.contains("| appends/s ↑ | 25,000 |"));
    assertTrue(md.contains("| p99 ms ↓ | 4.20 |"));
    assertTrue(md.contains("| append | 1,000 | 2 | 1.50 | 3 | 4.20 | 8.40 | 12.6 |"));
    assertTrue(md.contains("**Problems:**"));
    assertTrue(md.contains("- `HTTP 500 POST /v1/stream/x: boom`"));
  }

  @Test
  void aCleanRunHasNoProblemSection() {
    assertFalse(RunMarkdown.render(Results.append("sluice", 1, 1, List.of())).contains("Problems"));
  }
}
