package dev.sluice.bench.scenario;

import dev.sluice.bench.BenchOptions;
import dev.sluice.bench.http.EventLoop;
import dev.sluice.bench.http.Target;

/**
 * What every scenario gets: the options, the server, the event loop, and a run id that prefixes
 * stream names so repeated runs against one server never collide.
 */
public record BenchContext(BenchOptions options, Target target, EventLoop loop, String runId) {

  public String streamName(String suffix) {
    return "bench-" + runId + "-" + suffix;
  }

  public long requestTimeoutNanos() {
    return options.requestTimeout().toNanos();
  }

  /** Progress-line prefix, e.g. {@code append sluice}. */
  public String display(String scenarioName) {
    return scenarioName + " " + options.label();
  }
}
