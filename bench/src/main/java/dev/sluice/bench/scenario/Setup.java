package dev.sluice.bench.scenario;

import dev.sluice.bench.http.Connection;
import dev.sluice.bench.http.HttpResponseParser;
import dev.sluice.bench.metrics.LatencyRecorder;
import dev.sluice.bench.metrics.RequestStats;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntPredicate;

/**
 * Runs a fixed list of requests before a scenario's load (creating streams, filling them) and
 * fails loudly if any of them does not get an expected status: a scenario must never measure a
 * half-prepared server.
 *
 * <p>A request answered {@code 503} (the server's "retry": a cluster that is still starting its
 * journal or shards answers that) or left without an answer is sent again, up to
 * {@value #ROUNDS} rounds, half a second apart. Setup requests are idempotent (PUT of the same
 * stream) or fill a stream whose exact size does not matter.
 */
final class Setup {

  static final int ROUNDS = 10;

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
    long t0 = System.nanoTime();
    List<Integer> pending = new ArrayList<>();
    for (int i = 0; i < n; i++) pending.add(i);
    Map<Integer, Long> retried = new TreeMap<>();
    for (int round = 1; ; round++) {
      List<Integer> todo = pending;
      int[] status = new int[todo.size()];
      RequestStats stats = new RequestStats();
      RequestDriver.Source source = new RequestDriver.Source() {
        @Override
        public ByteBuffer render(Connection c, long k) {
          return ByteBuffer.wrap(requests.get(todo.get((int) k)));
        }

        @Override
        public void completed(Connection c, long k, int st, HttpResponseParser response) {
          status[(int) k] = st;
          if (response != null && capture != null) captured[todo.get((int) k)] = response.header(0);
        }

        @Override
        public String describe(long k) {
          return what + " #" + todo.get((int) k);
        }
      };
      RequestDriver driver = new RequestDriver(ctx.loop(), ctx.target(), Math.max(1, Math.min(connections, todo.size())),
          todo.size(), 0, source, ok, stats, new LatencyRecorder("setup"), ctx.requestTimeoutNanos(),
          capture == null ? new String[0] : new String[] {capture});
      driver.start();
      boolean done = driver.awaitDone(Math.max(60_000, ctx.options().requestTimeout().toMillis() * 2));
      driver.stop(1000);
      List<Integer> again = new ArrayList<>();
      boolean fatal = !done;
      int failed = 0;
      for (int j = 0; j < todo.size(); j++) {
        int st = status[j];
        if (ok.test(st)) continue;
        failed++;
        if (st == 503 || st == 0) {
          again.add(todo.get(j));
          retried.merge(st, 1L, Long::sum);
        } else {
          fatal = true;
        }
      }
      if (fatal || (!again.isEmpty() && round == ROUNDS)) {
        throw new SetupException(what + ": " + (n - failed) + " of " + n + " requests succeeded" + (done ? "" : " (gave up waiting)")
            + (round > 1 ? " after " + round + " rounds (retried: " + retried + ")" : "")
            + "; statuses of the last round " + stats.snapshot().byStatus() + "; first failures: " + stats.samples());
      }
      if (again.isEmpty()) break;
      pending = again;
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(500));
    }
    if (!ctx.options().quiet()) {
      System.err.printf("[setup] %s: %,d requests in %.1f s%s%n", what, n, (System.nanoTime() - t0) / 1e9,
          retried.isEmpty() ? "" : " (sent again after 503 or no answer, by status (0 = none): " + retried + ")");
    }
    return captured;
  }
}
