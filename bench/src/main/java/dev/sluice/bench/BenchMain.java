package dev.sluice.bench;

import dev.sluice.bench.failover.Failover;
import dev.sluice.bench.http.EventLoop;
import dev.sluice.bench.http.Target;
import dev.sluice.bench.metrics.LatencySummary;
import dev.sluice.bench.noop.NoopServer;
import dev.sluice.bench.report.Comparison;
import dev.sluice.bench.report.ResultJson;
import dev.sluice.bench.report.RunMarkdown;
import dev.sluice.bench.report.ScenarioResult;
import dev.sluice.bench.report.SvgChart;
import dev.sluice.bench.scenario.BenchContext;
import dev.sluice.bench.scenario.Scenario;
import dev.sluice.bench.scenario.SetupException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Entry point of {@code bin/sluice-bench}: {@code run} (one scenario against one server),
 * {@code compare} (results of several servers into one table) and {@code noop-server}.
 *
 * <p>Exit status: 0 when the run finished (problems are reported in the results, not in the exit
 * status), 1 when it could not run (setup failed, server unreachable), 2 on bad arguments.
 */
public final class BenchMain {

  private BenchMain() {}

  public static void main(String[] args) {
    BenchOptions o;
    try {
      o = BenchOptions.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("sluice-bench: " + e.getMessage());
      System.err.println("Try --help.");
      System.exit(2);
      return;
    }
    try {
      switch (o.command()) {
        case HELP -> System.out.print(BenchOptions.USAGE);
        case RUN -> run(o);
        case COMPARE -> compare(o);
        case NOOP_SERVER -> NoopServer.serve(o.host(), o.port(), o.mirrorConfig());
        case FAILOVER -> System.exit(Failover.run(o));
      }
    } catch (SetupException | IllegalArgumentException e) {
      System.err.println("sluice-bench: " + e.getMessage());
      System.exit(1);
    } catch (Exception e) {
      System.err.println("sluice-bench: " + e);
      e.printStackTrace();
      System.exit(1);
    }
  }

  private static void run(BenchOptions o) throws Exception {
    List<Target> targets = new ArrayList<>();
    for (String u : o.urls()) targets.add(Target.parse(u));
    if (targets.size() > 1 && o.scenario() != BenchOptions.Scenario.APPEND && o.scenario() != BenchOptions.Scenario.PRODUCER) {
      throw new IllegalArgumentException("--scenario " + o.scenario().key() + " takes one --url; several are supported by append and producer");
    }
    ScenarioResult r;
    try (EventLoop loop = new EventLoop("sluice-bench-io")) {
      r = Scenario.of(o.scenario()).run(new BenchContext(o, targets, loop, o.runId()));
    }
    Files.createDirectories(o.out());
    String base = fileSafe(o.label() + "--" + r.name());
    Path json = o.out().resolve(base + ".json");
    Files.writeString(json, ResultJson.write(r));
    Files.writeString(o.out().resolve(base + ".md"), RunMarkdown.render(r));
    List<SvgChart.Series> series = new ArrayList<>();
    for (Map.Entry<String, LatencySummary> e : r.latencies().entrySet()) {
      if (e.getValue().count() > 0) series.add(new SvgChart.Series(e.getKey(), e.getValue().curve()));
    }
    if (!series.isEmpty()) {
      Files.writeString(o.out().resolve(base + ".svg"), SvgChart.render(r.name() + " — " + r.label(), series));
    }
    System.out.println(RunMarkdown.render(r));
    System.err.println("sluice-bench: wrote " + json + " (+ .md, .svg)");
  }

  private static void compare(BenchOptions o) throws IOException {
    List<ScenarioResult> results = new ArrayList<>();
    for (Path in : o.inputs()) {
      List<Path> files = new ArrayList<>();
      if (Files.isDirectory(in)) {
        try (Stream<Path> s = Files.walk(in)) {
          s.filter(p -> p.toString().endsWith(".json") && !p.getFileName().toString().startsWith("summary")).sorted().forEach(files::add);
        }
      } else {
        files.add(in);
      }
      for (Path f : files) {
        try {
          results.add(ResultJson.read(Files.readString(f)));
        } catch (IllegalArgumentException e) {
          System.err.println("sluice-bench: skipping " + f + ": " + e.getMessage());
        }
      }
    }
    if (results.isEmpty()) throw new IllegalArgumentException("compare: no result files given (pass *.json files or directories)");
    // Rows follow the order in which the scenarios ran, not the file names.
    results.sort(java.util.Comparator.comparing(ScenarioResult::startedAt));
    Comparison c = Comparison.of(results, o.baseline());
    if (!o.metrics().isEmpty()) c = c.only(o.metrics());
    Files.createDirectories(o.out());
    StringBuilder md = new StringBuilder(c.markdown());
    String problems = c.problemsMarkdown();
    md.append('\n').append(problems.isEmpty() ? "No errors, non-2xx responses, hangs or lost events in any run.\n"
        : "Problems seen:\n\n" + problems);
    for (String name : c.names()) {
      List<SvgChart.Series> series = new ArrayList<>();
      String dist = null;
      for (String label : c.labels()) {
        ScenarioResult r = c.representative(name, label);
        if (r == null || r.latencies().isEmpty()) continue;
        Map.Entry<String, LatencySummary> first = r.latencies().entrySet().iterator().next();
        if (first.getValue().count() == 0) continue;
        dist = first.getKey();
        series.add(new SvgChart.Series(label, first.getValue().curve()));
      }
      if (!series.isEmpty()) {
        Path svg = o.out().resolve("latency-" + fileSafe(name) + ".svg");
        Files.writeString(svg, SvgChart.render(name + ": " + dist, series));
        md.append("\n![").append(name).append("](").append(svg.getFileName()).append(")\n");
      }
    }
    Files.writeString(o.out().resolve("summary.md"), md.toString());
    System.out.print(md);
    System.err.println("sluice-bench: wrote " + o.out().resolve("summary.md"));
  }

  static String fileSafe(String s) {
    return s.replaceAll("[^A-Za-z0-9._-]", "_");
  }
}
