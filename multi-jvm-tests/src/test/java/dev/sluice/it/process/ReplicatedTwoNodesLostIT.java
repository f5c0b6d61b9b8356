package dev.sluice.it.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.it.support.AppendHistory.Attempt;
import dev.sluice.it.support.FaultScenario;
import dev.sluice.it.support.HistoryClient;
import dev.sluice.it.support.TailReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Scenario (e): two of the three nodes are lost (SIGKILL), under load. They go one after the
 * other, the second once the cluster has downed the first, so the last node stays a member (Split
 * Brain Resolver keeps the side with the lowest address when two members lose each other; the
 * survivor is chosen to be that one). Lost at the same moment, the survivor would be a minority of
 * the three and down itself, and exit: clients would then see connection refusals, not answers.
 *
 * <p>With one node of three no write can reach a quorum: every write through the survivor must be
 * answered 503 within a bounded time (never 2xx, never a hang). When one node returns, writes
 * resume; when the other returns too, the history checker finds every acknowledged append exactly
 * once at its offset, through every node.
 */
class ReplicatedTwoNodesLostIT {
  /** A 503 must come well before this; the server's own bound is its ask timeout (8 s). */
  static final Duration PROBE_TIMEOUT = Duration.ofSeconds(30);
  static final long MAX_ANSWER_MILLIS = 15_000;
  static final int PROBE_ROUNDS = 2;
  /**
   * Once a second node is a member again, a quorum is there. Streams usually open within a second
   * or two; one that sharding moves onto the returning node (its copy behind) has taken up to 19 s
   * (open attempts timing out while its replica catches up). 30 s of Pekko's journal circuit breaker
   * used to come on top (26-35 s).
   */
  static final long MAX_RESUME_MILLIS = 45_000;

  @Test
  @Timeout(value = 6, unit = TimeUnit.MINUTES)
  void writesStopWithA503WhileTwoNodesAreDownAndResumeWhenOneReturns() throws Exception {
    try (FaultScenario sc = new FaultScenario("ReplicatedTwoNodesLostIT", 3).start()) {
      int survivor = sc.cluster.lowestAddress();
      int first = (survivor + 1) % 3;
      int second = (survivor + 2) % 3;
      int[] owners = sc.owners();
      sc.log("owners %s; killing node %d, then node %d; node %d survives", Arrays.toString(owners), first, second, survivor);
      // Tails of a stream the survivor does not own (if there is one), through the survivor first.
      String tailed = sc.streams.get(0);
      for (int i = 0; i < owners.length; i++) {
        if (owners[i] != survivor) {
          tailed = sc.streams.get(i);
          break;
        }
      }
      sc.tail(tailed, TailReader.Mode.LONG_POLL, survivor, first, second);
      sc.tail(tailed, TailReader.Mode.SSE, survivor, second, first);
      sc.startLoad(2, 2);
      sc.awaitAcks(20, Duration.ofSeconds(60));

      sc.load().avoid(first);
      long firstKilledAt = System.nanoTime();
      sc.cluster.node(first).kill();
      Map<String, Long> perStream = new LinkedHashMap<>();
      long resumed = sc.awaitResume(firstKilledAt, Duration.ofSeconds(60), perStream);
      sc.cluster.awaitUp(2, Duration.ofSeconds(60), survivor, second);
      sc.log("node %d killed: every stream accepts appends again within %d ms %s; it was downed after %d ms",
          first, resumed, perStream, FaultScenario.ms(firstKilledAt));

      sc.load().avoid(first, second);
      long secondKilledAt = System.nanoTime();
      sc.cluster.node(second).kill();
      List<Attempt> probes = new ArrayList<>(probeRound(sc, survivor));
      sc.cluster.awaitUp(1, Duration.ofSeconds(60), survivor);
      sc.log("node %d killed; node %d alone in the cluster %d ms later", second, survivor, FaultScenario.ms(secondKilledAt));
      for (int r = 1; r < PROBE_ROUNDS; r++) probes.addAll(probeRound(sc, survivor));
      long worst = 0;
      for (Attempt p : probes) {
        assertEquals(503, p.status(), "with two nodes down a write must be answered 503: " + p);
        worst = Math.max(worst, p.millis());
      }
      assertTrue(worst <= MAX_ANSWER_MILLIS, "a write waited " + worst + " ms for its 503: " + probes);
      sc.log("with two nodes down, %d writes through node %d: all 503, slowest answer %d ms: %s", probes.size(), survivor, worst,
          probes.stream().map(Attempt::millis).toList());
      assertTrue(sc.cluster.isAlive(survivor), "the survivor exited; log " + sc.cluster.node(survivor).logFile());

      long returnAt = System.nanoTime();
      // Nothing sent while only one node ran can have been acknowledged (the load's writes included).
      List<Attempt> acked = sc.acksThrough(survivor, secondKilledAt, returnAt);
      assertTrue(acked.isEmpty(), "writes acknowledged with one node of three: " + acked);
      sc.cluster.start(first);
      long readyMs = FaultScenario.ms(returnAt);
      sc.load().avoid(second);
      sc.cluster.awaitUp(2, Duration.ofSeconds(120), survivor, first);
      long upAt = System.nanoTime();
      long memberMs = (upAt - returnAt) / 1_000_000;
      perStream.clear();
      long back = sc.awaitResume(upAt, Duration.ofSeconds(120), perStream);
      sc.log("node %d restarted (serving HTTP after %d ms, a member after %d ms): every stream accepts appends again %d ms"
          + " after it was a member %s", first, readyMs, memberMs, back, perStream);
      assertTrue(back <= MAX_RESUME_MILLIS, "appends resumed only " + back + " ms after a second node was back: " + perStream);
      sc.awaitAcks(10, Duration.ofSeconds(60));

      sc.cluster.start(second);
      sc.cluster.awaitUp(3, Duration.ofSeconds(120));
      sc.load().avoid();
      sc.awaitAcks(10, Duration.ofSeconds(60));
      sc.finish();
    }
  }

  /** One write per stream through {@code node}, all at once, each waiting up to {@link #PROBE_TIMEOUT}. */
  private static List<Attempt> probeRound(FaultScenario sc, int node) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(sc.streams.size());
    try {
      List<CompletableFuture<Attempt>> fs = new ArrayList<>();
      for (String s : sc.streams) {
        fs.add(CompletableFuture.supplyAsync(() -> {
          try (HistoryClient c = sc.client(PROBE_TIMEOUT)) {
            return c.append(s, node, 64);
          }
        }, pool));
      }
      List<Attempt> out = new ArrayList<>();
      for (CompletableFuture<Attempt> f : fs) out.add(f.get(PROBE_TIMEOUT.toSeconds() + 30, TimeUnit.SECONDS));
      return out;
    } finally {
      pool.shutdown();
    }
  }
}
