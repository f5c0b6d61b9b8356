package dev.sluice.bench.scenario;

import dev.sluice.bench.BenchOptions;
import dev.sluice.bench.http.Connection;
import dev.sluice.bench.metrics.LatencyRecorder;
import dev.sluice.bench.metrics.LatencySummary;
import dev.sluice.bench.metrics.PhaseClock;
import dev.sluice.bench.metrics.RequestStats;
import dev.sluice.bench.report.ScenarioResult;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;

/**
 * {@code streams}: create {@code --count} empty octet-stream streams with PUT over C connections (a
 * closed loop; no warm-up, the whole creation is measured, {@code --duration} caps it). Reports the
 * creation rate and, with {@code --pid}, the server's resident memory before and after
 * ({@code VmRSS}) and its peak ({@code VmHWM}).
 */
final class StreamsScenario implements Scenario {

  @Override
  public ScenarioResult run(BenchContext ctx) throws Exception {
    BenchOptions o = ctx.options();
    int count = o.count();
    int connections = o.connectionsOr(64);
    Duration cap = o.durationOrDefault();
    ResultBuilder result = new ResultBuilder(ctx, "streams", "streams-" + count + "-c" + connections);
    result.param("count", count).param("connections", connections).param("cap", cap);
    long rssBefore = ProcStatus.bytes(o.pid(), "VmRSS");
    String prefix = ctx.streamName("s");
    RequestDriver.Source source = new RequestDriver.Source() {
      @Override
      public ByteBuffer render(Connection c, long k) {
        return ByteBuffer.wrap(ctx.target().request("PUT", ctx.target().streamPath(prefix + k), new byte[0],
            "Content-Type", "application/octet-stream"));
      }

      @Override
      public String describe(long k) {
        return "PUT " + ctx.target().streamPath(prefix + k);
      }
    };
    RequestStats stats = new RequestStats();
    LatencyRecorder latency = new LatencyRecorder("PUT");
    RequestDriver driver = new RequestDriver(ctx.loop(), ctx.target(), connections, count, 0, source,
        s -> s == 201, stats, latency, ctx.requestTimeoutNanos());
    driver.start();
    PhaseClock.Measured m = PhaseClock.run(new PhaseClock.Display(ctx.display(result.name()), "streams", false, o.quiet(), o.pids(), o.window()),
        Duration.ZERO, cap, stats, List.of(latency),
        () -> String.format("created %,d/%,d", stats.ok(), count), driver::isDone);
    int hung = driver.stop(o.drainTimeout().toMillis());
    long rssAfter = ProcStatus.bytes(o.pid(), "VmRSS");
    long hwm = ProcStatus.bytes(o.pid(), "VmHWM");
    LatencySummary lat = LatencySummary.of(m.latencies().get(0));
    long created = m.counts().ok();
    result.metric("rate", "streams/s", created / m.seconds(), true);
    result.metric("created", "streams created", created, true);
    if (o.pid() > 0) {
      result.metric("rss", "server RSS MB", rssAfter < 0 ? Double.NaN : rssAfter / 1048576.0, false);
      result.param("rss_before_mb", rssBefore < 0 ? "n/a" : String.format("%.0f", rssBefore / 1048576.0));
      result.metric("rss_peak", "peak RSS MB", hwm < 0 ? Double.NaN : hwm / 1048576.0, false);
    }
    result.latencyMetrics("", "PUT", lat, false);
    result.latency("PUT", lat);
    if (created < count) {
      result.problem(String.format("only %,d of %,d streams were created within %s", created, count, ResultBuilder.durationText(cap)));
    }
    return result.build(m, stats, hung);
  }
}
