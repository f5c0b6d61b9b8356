package dev.sluice.bench.report;

import dev.sluice.bench.metrics.LatencySummary;
import dev.sluice.bench.metrics.RequestStats;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Hand-made results for report tests. */
final class Results {

  private Results() {}

  static ScenarioResult append(String label, double throughput, double p99, List<String> problems) {
    Map<String, String> params = new LinkedHashMap<>();
    params.put("streams", "100");
    params.put("connections", "256");
    LatencySummary lat = new LatencySummary(1000, 2.0, 1.5, 3.0, p99, p99 * 2, p99 * 3,
        List.of(new double[] {0, 0.5}, new double[] {50, 1.5}, new double[] {99, p99}, new double[] {100, p99 * 3}));
    Map<String, LatencySummary> lats = new LinkedHashMap<>();
    lats.put("append", lat);
    return new ScenarioResult("append-s100-c256-closed", "append", label, "http://127.0.0.1:1", "2026-11-25T12:00:00Z", 10.0,
        params, List.of(new Metric("throughput", "appends/s", throughput, true), new Metric("p99", "p99 ms", p99, false),
        new Metric("errors", "errors", problems.isEmpty() ? 0 : 3, false)),
        lats, new RequestStats.Snapshot(1000, 1000, 256_000, problems.isEmpty() ? 0 : 3, 0, 0, 0, Map.of(204, 1000L)),
        problems, problems.isEmpty() ? List.of() : List.of("HTTP 500 POST /v1/stream/x: boom"));
  }
}
