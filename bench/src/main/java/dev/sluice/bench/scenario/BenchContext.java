package dev.sluice.bench.scenario;

import dev.sluice.bench.BenchOptions;
import dev.sluice.bench.http.EventLoop;
import dev.sluice.bench.http.Target;
import java.util.List;

/**
 * What every scenario gets: the options, the server (one or more base URLs: the nodes of a cluster),
 * the event loop, and a run id that prefixes stream names so repeated runs against one server never
 * collide.
 */
public record BenchContext(BenchOptions options, List<Target> targets, EventLoop loop, String runId) {

  public BenchContext {
    if (targets.isEmpty()) throw new IllegalArgumentException("no target");
    targets = List.copyOf(targets);
  }

  /** The first target: where setup requests (creating streams) go. */
  public Target target() {
    return targets.get(0);
  }

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
