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
 * Scenario (b): the owner of a stream is paused (SIGSTOP) under load for longer than Split Brain
 * Resolver needs to down it, then continued (SIGCONT). While it is paused, the other two fence it
 * and take its streams over; requests sent to it meanwhile wait in its socket buffers and it
 * handles them after SIGCONT, still believing it owns its streams. None of those late writes may
 * be acknowledged (the new owner's epoch, promised by a majority, refuses them; the node learns it
 * was downed and exits), and the history checker must find nothing acknowledged lost and nothing
 * duplicated, through every node, once the node is restarted.
 */
class ReplicatedPausedOwnerIT {
  /** Late writes sent to the paused node; they wait for SIGCONT (their timeout is far longer). */
  static final int LATE_WRITES = 4;

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void aPausedOwnerIsFencedAndNoneOfItsLateWritesIsAcknowledged() throws Exception {
    try (FaultScenario sc = new FaultScenario("ReplicatedPausedOwnerIT", 3).start()) {
      int[] owners = sc.owners();
      int victim = owners[0];
      List<String> owned = sc.ownedBy(owners, victim);
      int a = (victim + 1) % 3;
      int b = (victim + 2) % 3;
      sc.log("owners %s; pausing node %d, owner of %s", java.util.Arrays.toString(owners), victim, owned);

      sc.tail(sc.streams.get(0), TailReader.Mode.LONG_POLL, a, b);
      sc.tail(sc.streams.get(0), TailReader.Mode.SSE, b, a);
      sc.startLoad(2, 2);
      sc.awaitAcks(20, Duration.ofSeconds(60));

      NodeProcess paused = sc.cluster.node(victim);
      sc.load().avoid(victim);
      long pausedAt = System.nanoTime();
      paused.pause();

      // Late writes: clients that keep waiting on the paused node until it runs again.
      ExecutorService lateClients = Executors.newFixedThreadPool(LATE_WRITES);
      List<CompletableFuture<Attempt>> late = new ArrayList<>();
      for (int i = 0; i < LATE_WRITES; i++) {
        String stream = owned.get(i % owned.size());
        late.add(CompletableFuture.supplyAsync(() -> {
          try (HistoryClient c = sc.client(Duration.ofSeconds(60))) {
            return c.append(stream, victim, 64);
          }
        }, lateClients));
      }
      lateClients.shutdown();

      Map<String, Long> perStream = new LinkedHashMap<>();
      long resumed = sc.awaitResume(pausedAt, Duration.ofSeconds(60), perStream);
      sc.log("every stream accepts appends again %d ms after SIGSTOP of node %d: %s", resumed, victim, perStream);
      sc.cluster.awaitUp(2, Duration.ofSeconds(60), a, b);
      sc.log("node %d downed by the other two %d ms after SIGSTOP", victim, FaultScenario.ms(pausedAt));
      // Keep it paused a little longer, so the load queues more requests on it.
      LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(2));

      long continuedAt = System.nanoTime();
      paused.resume();
      boolean exited = paused.awaitExit(Duration.ofSeconds(60));
      sc.log("SIGCONT after %d ms paused; the node %s %d ms later (%s)", (continuedAt - pausedAt) / 1_000_000,
          exited ? "exited by itself" : "was still running", FaultScenario.ms(continuedAt), paused.status());
      assertTrue(exited, "node " + victim + " kept running after SIGCONT although the cluster downed it; log " + paused.logFile());

      List<Attempt> lateOutcomes = new ArrayList<>();
      for (CompletableFuture<Attempt> f : late) lateOutcomes.add(f.get(90, TimeUnit.SECONDS));
      sc.log("late writes to the paused owner: %s", lateOutcomes);
      for (Attempt t : lateOutcomes) {
        assertTrue(t.outcome() != Outcome.ACKED && t.outcome() != Outcome.DUPLICATE,
            "a write the paused owner handled after SIGCONT was acknowledged: " + t);
      }
      // Everything the load sent to the paused owner's streams through it while it was paused.
      for (Attempt t : sc.acksThrough(victim, pausedAt, continuedAt)) {
        assertTrue(!owned.contains(t.stream()), "the paused owner acknowledged a write it received while paused: " + t);
      }

      sc.finish();
    }
  }
}
