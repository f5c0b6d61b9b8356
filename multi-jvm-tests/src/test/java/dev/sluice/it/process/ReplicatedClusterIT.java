package dev.sluice.it.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.it.support.AppendHistory.Attempt;
import dev.sluice.it.support.AppendHistory.Outcome;
import dev.sluice.it.support.ClusterOfThree;
import dev.sluice.it.support.FaultScenario;
import dev.sluice.it.support.HistoryClient;
import dev.sluice.it.support.TailReader;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Scenario (a): a replicated 3-node cluster of real processes, used as clients would. First
 * appends through every node, each read back at once through the next node (read-your-writes
 * across nodes). Then, under load (plain appends and idempotent producers through all three nodes,
 * long-poll and SSE tails through the two other nodes), SIGKILL of the owner of a stream: appends
 * resume through the others, the node restarts on its data directory and rejoins, and the history
 * checker finds every acknowledged append exactly once at its offset, through every node.
 */
class ReplicatedClusterIT {
  static final int STREAMS = 3;
  static final int APPENDS_PER_ROUND = 30;

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void acknowledgedAppendsSurviveAKilledOwnerAndAreReadableThroughEveryNode() throws Exception {
    try (FaultScenario sc = new FaultScenario("ReplicatedClusterIT", STREAMS).start()) {
      try (HistoryClient c = sc.client(Duration.ofSeconds(20))) {
        for (int i = 0; i < APPENDS_PER_ROUND; i++) {
          String stream = sc.streams.get(i % STREAMS);
          int node = i % 3;
          Attempt a = c.append(stream, node, 40);
          assertEquals(Outcome.ACKED, a.outcome(), "append through node " + node + ": " + a);
          // Read-your-writes across nodes: the next node reads what this one just acknowledged.
          int reader = (node + 1) % 3;
          byte[] all = c.readAll(stream, reader, Duration.ofSeconds(20));
          assertTrue(all.length >= a.nextPos(), "node " + reader + " read " + all.length + " bytes of " + stream
              + " right after node " + node + " acknowledged up to " + a.nextPos());
        }
      }
      sc.log("%d appends through all nodes, each read back at once through the next node", APPENDS_PER_ROUND);

      int[] owners = sc.owners();
      int victim = owners[0];
      int a = (victim + 1) % 3;
      int b = (victim + 2) % 3;
      sc.log("owners %s; killing node %d", Arrays.toString(owners), victim);
      sc.tail(sc.streams.get(0), TailReader.Mode.LONG_POLL, a, b);
      sc.tail(sc.streams.get(0), TailReader.Mode.SSE, b, a);
      sc.startLoad(2, 2);
      sc.awaitAcks(20, Duration.ofSeconds(60));

      sc.load().avoid(victim);
      long killedAt = System.nanoTime();
      sc.cluster.node(victim).kill();
      Map<String, Long> perStream = new LinkedHashMap<>();
      long resumed = sc.awaitResume(killedAt, Duration.ofSeconds(60), perStream);
      sc.log("every stream accepts appends again %d ms after SIGKILL of node %d: %s", resumed, victim, perStream);
      // A survivor learnt of the crash from its refused port, not from the failure detector (the
      // other one may have seen it downed first).
      StringBuilder logs = new StringBuilder();
      boolean downedOnRefusal = false;
      for (int i = 0; i < ClusterOfThree.SIZE; i++) {
        if (i == victim) continue;
        downedOnRefusal |= Files.readString(sc.cluster.node(i).logFile())
            .contains("Member pekko://sluice@127.0.0.1:" + sc.cluster.proxy().proxyPort(victim) + " has no process any more");
        logs.append("node ").append(i).append(":\n").append(sc.cluster.node(i).logTail());
      }
      assertTrue(downedOnRefusal, "no survivor downed the killed node through its refused port:\n" + logs);
      sc.awaitAcks(20, Duration.ofSeconds(60));

      long restartAt = System.nanoTime();
      sc.cluster.start(victim);
      sc.cluster.awaitUp(3, Duration.ofSeconds(120));
      sc.load().avoid();
      sc.log("node %d restarted and rejoined in %d ms", victim, FaultScenario.ms(restartAt));
      sc.awaitAcks(20, Duration.ofSeconds(60));
      sc.finish();
    }
  }
}
