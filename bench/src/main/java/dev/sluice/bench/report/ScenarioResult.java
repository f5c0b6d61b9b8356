package dev.sluice.bench.report;

import dev.sluice.bench.metrics.LatencySummary;
import dev.sluice.bench.metrics.RequestStats;
import java.util.List;
import java.util.Map;

/**
 * Everything one run of one scenario against one server produced. Written as JSON by
 * {@link ResultJson}, read back by {@code compare}. Immutable.
 *
 * @param name       identifies the load shape across servers, e.g. {@code append-s100-c256-closed};
 *                   the comparison puts results with the same name on the same rows
 * @param label      the server, e.g. {@code sluice}, {@code node-file}
 * @param params     scenario parameters, in a stable order
 * @param metrics    headline numbers, in table order
 * @param latencies  distributions, the headline one first
 * @param counts     counters of the measured phase
 * @param problems   everything that went wrong, in words (empty for a clean run)
 * @param samples    the first failures in full
 */
public record ScenarioResult(String name, String scenario, String label, String url, String startedAt,
                             double seconds, Map<String, String> params, List<Metric> metrics,
                             Map<String, LatencySummary> latencies, RequestStats.Snapshot counts,
                             List<String> problems, List<String> samples) {

  public Metric metric(String key) {
    for (Metric m : metrics) {
      if (m.key().equals(key)) return m;
    }
    return null;
  }
}
