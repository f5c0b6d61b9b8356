package dev.sluice.bench.scenario;

import dev.sluice.bench.http.Connection;
import dev.sluice.bench.http.HttpResponseParser;
import dev.sluice.bench.metrics.LatencyRecorder;
import dev.sluice.bench.metrics.RequestStats;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.IntPredicate;

/**
 * Runs a fixed list of requests before a scenario's load (creating streams, filling them) and
 * fails loudly if any of them does not get an expected status: a scenario must never measure a
 * half-prepared server.
 */
final class Setup {

  private Setup() {}

  /**
   * Sends {@code requests} over up to {@code connections} connections and returns, per request, the
   * value of the {@code capture} response header (null if absent or not captured).
   */
  static String[] run(BenchContext ctx, String what, List<byte[]> requests, int connections, IntPredicate ok,
                      String capture) throws Exception {
    int n = requests.size();
    String[] captured = new String[n];
    if (n == 0) return captured;
    RequestStats stats = new RequestStats();
    RequestDriver.Source source = new RequestDriver.Source() {
      @Override
      public ByteBuffer render(Connection c, long k) {
        return ByteBuffer.wrap(requests.get((int) k));
      }

      @Override
      public void completed(Connection c, long k, int status, HttpResponseParser response) {
        if (response != null && capture != null) captured[(int) k] = response.header(0);
      }

      @Override
      public String describe(long k) {
        return what + " #" + k;
      }
    };
    RequestDriver driver = new RequestDriver(ctx.loop(), ctx.target(), Math.max(1, Math.min(connections, n)), n, 0,
        source, ok, stats, new LatencyRecorder("setup"), ctx.requestTimeoutNanos(),
        capture == null ? new String[0] : new String[] {capture});
    long t0 = System.nanoTime();
    driver.start();
    boolean done = driver.awaitDone(Math.max(60_000, ctx.options().requestTimeout().toMillis() * 2));
    driver.stop(1000);
    if (!done || stats.errors() > 0) {
      throw new SetupException(what + ": " + stats.ok() + " of " + n + " requests succeeded"
          + (done ? "" : " (gave up waiting)") + "; statuses " + stats.snapshot().byStatus() + "; first failures: " + stats.samples());
    }
    if (!ctx.options().quiet()) {
      System.err.printf("[setup] %s: %,d requests in %.1f s%n", what, n, (System.nanoTime() - t0) / 1e9);
    }
    return captured;
  }
}
