package dev.sluice.it.process;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.it.support.AppendHistory.Attempt;
import dev.sluice.it.support.AppendHistory.Outcome;
import dev.sluice.it.support.FaultScenario;
import dev.sluice.it.support.HistoryClient;
import dev.sluice.it.support.NodeProcess;
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
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Scenario (c): a network partition isolates the owner of a stream from the other two nodes (every
 * Artery link to and from it cut in the test's {@link dev.sluice.it.support.LinkProxy}), under
 * load, while clients can still reach it over HTTP. The majority downs it and takes its streams
 * over; the isolated node cannot reach a quorum, so nothing sent to it after the cut may be
 * acknowledged (writes fail with 503 or a reset, never 2xx), and it downs itself (Split Brain
 * Resolver, keep-majority) and exits. Then the partition heals, the node restarts, and the history
 * checker finds nothing acknowledged lost and nothing duplicated, through every node.
 */
class ReplicatedOwnerPartitionIT {
  static final int LATE_WRITES = 4;

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void anIsolatedOwnerAcknowledgesNothingAndTheMajorityLosesNothing() throws Exception {
    try (FaultScenario sc = new FaultScenario("ReplicatedOwnerPartitionIT", 3).start()) {
      int[] owners = sc.owners();
      int victim = owners[0];
      List<String> owned = sc.ownedBy(owners, victim);
      int a = (victim + 1) % 3;
      int b = (victim + 2) % 3;
      sc.log("owners %s; isolating node %d, owner of %s", Arrays.toString(owners), victim, owned);

      sc.tail(sc.streams.get(0), TailReader.Mode.LONG_POLL, a, b);
      sc.tail(sc.streams.get(0), TailReader.Mode.SSE, b, a);
      sc.startLoad(2, 2);
      sc.awaitAcks(20, Duration.ofSeconds(60));

      NodeProcess isolated = sc.cluster.node(victim);
      sc.load().avoid(victim);
      long cutAt = System.nanoTime();
      sc.cluster.proxy().isolate(victim);

      // Writes to the isolated owner's streams through it, by clients that wait long enough for
      // whatever it answers: half at once, half a second later.
      ExecutorService lateClients = Executors.newFixedThreadPool(LATE_WRITES);
      List<CompletableFuture<Attempt>> late = new ArrayList<>();
      for (int i = 0; i < LATE_WRITES; i++) {
        String stream = owned.get(i % owned.size());
        long delayMillis = i < LATE_WRITES / 2 ? 0 : 1000;
        late.add(CompletableFuture.supplyAsync(() -> {
          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(delayMillis));
          try (HistoryClient c = sc.client(Duration.ofSeconds(30))) {
            return c.append(stream, victim, 64);
          }
        }, lateClients));
      }
      lateClients.shutdown();

      Map<String, Long> perStream = new LinkedHashMap<>();
      long resumed = sc.awaitResume(cutAt, Duration.ofSeconds(60), perStream);
      sc.log("every stream accepts appends through the majority %d ms after the cut: %s", resumed, perStream);
      sc.cluster.awaitUp(2, Duration.ofSeconds(60), a, b);
      sc.log("node %d downed by the majority %d ms after the cut", victim, FaultScenario.ms(cutAt));
      boolean exited = isolated.awaitExit(Duration.ofSeconds(60));
      sc.log("the isolated node %s %d ms after the cut (%s)", exited ? "downed itself and exited" : "was still running",
          FaultScenario.ms(cutAt), isolated.status());
      assertTrue(exited, "the isolated node " + victim + " kept running; log " + isolated.logFile());

      List<Attempt> lateOutcomes = new ArrayList<>();
      for (CompletableFuture<Attempt> f : late) lateOutcomes.add(f.get(90, TimeUnit.SECONDS));
      long healedAt = System.nanoTime();
      sc.cluster.proxy().healAll();
      sc.log("writes to the isolated owner: %s", lateOutcomes);
      for (Attempt t : lateOutcomes) {
        assertTrue(t.outcome() != Outcome.ACKED && t.outcome() != Outcome.DUPLICATE,
            "the isolated owner acknowledged a write it could not replicate: " + t);
      }
      // Without a link to any peer no write through it can reach a quorum, whatever stream it is for.
      List<Attempt> acked = sc.acksThrough(victim, cutAt, healedAt);
      assertTrue(acked.isEmpty(), "writes acknowledged through the isolated node: " + acked);

      long restartAt = System.nanoTime();
      sc.cluster.start(victim);
      sc.cluster.awaitUp(3, Duration.ofSeconds(120));
      sc.load().avoid();
      sc.log("partition healed; node %d restarted and rejoined in %d ms", victim, FaultScenario.ms(restartAt));
      sc.awaitAcks(10, Duration.ofSeconds(60));
      sc.finish();
    }
  }
}
