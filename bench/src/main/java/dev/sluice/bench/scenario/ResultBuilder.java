package dev.sluice.bench.scenario;

import dev.sluice.bench.metrics.CpuUsage;
import dev.sluice.bench.metrics.LatencySummary;
import dev.sluice.bench.metrics.PhaseClock;
import dev.sluice.bench.metrics.RequestStats;
import dev.sluice.bench.metrics.Windows;
import dev.sluice.bench.report.Metric;
import dev.sluice.bench.report.ScenarioResult;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Collects a scenario's parameters, numbers and problems into a {@link ScenarioResult}. Not thread-safe. */
final class ResultBuilder {

  private final BenchContext ctx;
  private final String scenario;
  private final String startedAt = Instant.now().truncatedTo(ChronoUnit.MILLIS).toString();
  private final Map<String, String> params = new LinkedHashMap<>();
  private final List<Metric> metrics = new ArrayList<>();
  private final Map<String, LatencySummary> latencies = new LinkedHashMap<>();
  private final List<String> problems = new ArrayList<>();
  private String name;

  ResultBuilder(BenchContext ctx, String scenario, String defaultName) {
    this.ctx = ctx;
    this.scenario = scenario;
    this.name = ctx.options().name() != null ? ctx.options().name() : defaultName;
  }

  String name() {
    return name;
  }

  ResultBuilder param(String key, Object value) {
    params.put(key, value instanceof java.time.Duration d ? durationText(d) : String.valueOf(value));
    return this;
  }

  /** {@code 500ms}, {@code 3s}, {@code 1.5s}: the form the options accept. */
  static String durationText(java.time.Duration d) {
    long ms = d.toMillis();
    if (ms % 1000 != 0) return ms < 1000 ? ms + "ms" : (ms / 1000.0) + "s";
    return (ms / 1000) + "s";
  }

  ResultBuilder metric(String key, String label, double value, boolean higherIsBetter) {
    metrics.add(new Metric(key, label, value, higherIsBetter));
    return this;
  }

  ResultBuilder latency(String key, LatencySummary s) {
    latencies.put(key, s);
    return this;
  }

  /** Adds p50/p99/p99.9/max of {@code s} as headline metrics, labelled {@code <prefix> p99 ms}. */
  ResultBuilder latencyMetrics(String keyPrefix, String labelPrefix, LatencySummary s, boolean withMax) {
    String lp = labelPrefix.isEmpty() ? "" : labelPrefix + " ";
    double nan = Double.NaN;
    metric(keyPrefix + "p50", lp + "p50 ms", s.count() > 0 ? s.p50() : nan, false);
    metric(keyPrefix + "p99", lp + "p99 ms", s.count() > 0 ? s.p99() : nan, false);
    metric(keyPrefix + "p999", lp + "p99.9 ms", s.count() > 0 ? s.p999() : nan, false);
    if (withMax) metric(keyPrefix + "max", lp + "max ms", s.count() > 0 ? s.max() : nan, false);
    return this;
  }

  ResultBuilder problem(String p) {
    problems.add(p);
    return this;
  }

  /**
   * One throughput and one p50/p99 metric per window of {@code --window} (keys {@code w<i>.throughput},
   * {@code w<i>.p50}, {@code w<i>.p99}; labels name the window, e.g. {@code appends/s 0-10 s}), so
   * {@code compare} gives the median of each window over several runs.
   */
  private void windowMetrics(PhaseClock.Measured m) {
    if (m.windows().isEmpty()) return;
    param("window", ctx.options().window());
    boolean mb = m.unit().equals("bytes");
    for (Windows.Window w : m.windows()) {
      String k = "w" + w.index() + ".";
      metric(k + "throughput", (mb ? "MB/s " : m.unit() + "/s ") + w.span(), mb ? w.rate() / 1e6 : w.rate(), true);
      LatencySummary s = LatencySummary.of(w.latency());
      if (s.count() > 0) {
        metric(k + "p50", "p50 ms " + w.span(), s.p50(), false);
        metric(k + "p99", "p99 ms " + w.span(), s.p99(), false);
      }
      if (w.errors() > 0) metric(k + "errors", "errors " + w.span(), w.errors(), false);
    }
  }

  /**
   * Finishes the result: adds the error count (measured phase plus requests left hanging at the end)
   * as a metric, the server's RSS when {@code --pid} was given, and a problem line for every kind of
   * failure seen anywhere in the run.
   */
  ScenarioResult build(PhaseClock.Measured m, RequestStats stats, int hungAtEnd) {
    RequestStats.Snapshot c = m.counts();
    RequestStats.Snapshot all = stats.snapshot();
    if (metrics.stream().noneMatch(x -> x.key().equals("errors"))) metric("errors", "errors", c.errors() + hungAtEnd, false);
    windowMetrics(m);
    List<Long> pids = ctx.options().pids();
    long pid = pids.isEmpty() ? 0 : pids.get(0);
    if (pid > 0 && metrics.stream().noneMatch(x -> x.key().equals("rss"))) {
      long rss = 0;
      for (long p : pids) {
        long one = ProcStatus.bytes(p, "VmRSS");
        if (one < 0) {
          rss = -1;
          break;
        }
        rss += one;
      }
      param(pids.size() > 1 ? "server_rss_mb_sum" : "server_rss_mb", rss < 0 ? "n/a" : String.format("%.0f", rss / 1048576.0));
    }
    CpuUsage cpu = m.cpu();
    if (pid > 0) param("cpu_server_cores", String.format("%.2f", cpu.server()));
    param("cpu_bench_cores", String.format("%.2f", cpu.bench()));
    param("cpu_other_cores", String.format("%.2f", cpu.other()));
    if (cpu.other() > CpuUsage.OTHER_WARN_CORES) {
      problems.add(String.format("other processes used %.2f cores during the measured phase (server %s, load generator %.2f):"
          + " the machine was not quiet, the numbers are skewed", cpu.other(),
          pid > 0 ? String.format("%.2f", cpu.server()) : "unknown", cpu.bench()));
    }
    if (all.badStatus() > 0) {
      Map<Integer, Long> unexpected = new LinkedHashMap<>(all.byStatus());
      problems.add(all.badStatus() + " responses with an unexpected status (all statuses seen: " + unexpected + ")");
    }
    if (all.timeouts() > 0) {
      problems.add(all.timeouts() + " requests got no complete response in time (request timeout "
          + ctx.options().requestTimeout().toMillis() + " ms, or still pending at the end)");
    }
    if (all.connectionErrors() > 0) problems.add(all.connectionErrors() + " connection errors (resets, EOF mid-response, refused)");
    if (all.protocolErrors() > 0) problems.add(all.protocolErrors() + " protocol violations (see the samples)");
    if (hungAtEnd > 0) problems.add(hungAtEnd + " requests were still unanswered " + ctx.options().drainTimeout().toMillis() + " ms after the load stopped");
    return new ScenarioResult(name, scenario, ctx.options().label(), ctx.options().url(), startedAt, m.seconds(),
        new LinkedHashMap<>(params), List.copyOf(metrics),
        new LinkedHashMap<>(latencies), c, List.copyOf(problems), stats.samples());
  }
}
