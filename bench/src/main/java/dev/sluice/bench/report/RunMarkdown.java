package dev.sluice.bench.report;

import dev.sluice.bench.metrics.LatencySummary;
import java.util.Map;

/** The Markdown report of one run: parameters, headline numbers, latency table, problems. */
public final class RunMarkdown {

  private RunMarkdown() {}

  public static String render(ScenarioResult r) {
    StringBuilder sb = new StringBuilder();
    sb.append("## ").append(r.name()).append(" — ").append(r.label()).append("\n\n");
    sb.append(r.url()).append(", started ").append(r.startedAt())
        .append(String.format(", measured %.1f s", r.seconds())).append("\n\n");
    StringBuilder params = new StringBuilder();
    for (Map.Entry<String, String> e : r.params().entrySet()) {
      if (params.length() > 0) params.append(", ");
      params.append(e.getKey()).append('=').append(e.getValue());
    }
    sb.append("Parameters: ").append(params).append("\n\n");
    sb.append("| metric | value |\n|---|---:|\n");
    for (Metric m : r.metrics()) {
      sb.append("| ").append(m.label()).append(m.higherIsBetter() ? " ↑" : " ↓").append(" | ")
          .append(m.formatted()).append(" |\n");
    }
    if (!r.latencies().isEmpty()) {
      sb.append("\n| latency (ms) | count | mean | p50 | p90 | p99 | p99.9 | max |\n|---|---:|---:|---:|---:|---:|---:|---:|\n");
      for (Map.Entry<String, LatencySummary> e : r.latencies().entrySet()) {
        LatencySummary s = e.getValue();
        sb.append("| ").append(e.getKey()).append(" | ").append(String.format("%,d", s.count())).append(" | ")
            .append(Metric.format(s.mean())).append(" | ").append(Metric.format(s.p50())).append(" | ")
            .append(Metric.format(s.p90())).append(" | ").append(Metric.format(s.p99())).append(" | ")
            .append(Metric.format(s.p999())).append(" | ").append(Metric.format(s.max())).append(" |\n");
      }
    }
    sb.append("\nResponses by status: ").append(r.counts().byStatus().isEmpty() ? "none" : r.counts().byStatus())
        .append("; errors: ").append(r.counts().badStatus()).append(" bad status, ").append(r.counts().timeouts())
        .append(" timeouts, ").append(r.counts().connectionErrors()).append(" connection, ")
        .append(r.counts().protocolErrors()).append(" protocol\n");
    if (!r.problems().isEmpty()) {
      sb.append("\n**Problems:**\n\n");
      for (String p : r.problems()) sb.append("- ").append(p).append('\n');
      if (!r.samples().isEmpty()) {
        sb.append("\nFirst failures:\n\n");
        for (String s : r.samples()) sb.append("- `").append(s.replace('`', '\'')).append("`\n");
      }
    }
    return sb.toString();
  }
}
