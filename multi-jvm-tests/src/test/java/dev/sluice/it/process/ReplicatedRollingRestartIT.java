package dev.sluice.it.process;

import dev.sluice.it.support.FaultScenario;
import dev.sluice.it.support.TailReader;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Scenario (d): a rolling restart of all three nodes under load. One node at a time is stopped
 * with SIGTERM (a graceful shutdown: it hands its shards over and leaves the cluster), started
 * again on its data directory, and the next one follows once all three see each other Up. Node 0,
 * the first seed node, comes back behind a network partition that lasts {@link #BLIP}: it must
 * wait for the others and join them, not start a second cluster of its own. Live tails move from
 * node to node as theirs goes down. The history checker then finds every acknowledged append
 * exactly once at its offset, through every node.
 */
class ReplicatedRollingRestartIT {
  /** How long node 0 cannot reach the others after its restart began. */
  static final Duration BLIP = Duration.ofSeconds(12);

  @Test
  @Timeout(value = 6, unit = TimeUnit.MINUTES)
  void aRollingRestartUnderLoadLosesNothing() throws Exception {
    try (FaultScenario sc = new FaultScenario("ReplicatedRollingRestartIT", 3).start()) {
      int owner0 = sc.ownerOf(sc.streams.get(0));
      int a = (owner0 + 1) % 3;
      int b = (owner0 + 2) % 3;
      // Through non-owners first; each moves on when its node goes down.
      sc.tail(sc.streams.get(0), TailReader.Mode.LONG_POLL, a, b, owner0);
      sc.tail(sc.streams.get(0), TailReader.Mode.SSE, b, a, owner0);
      sc.startLoad(2, 2);
      sc.awaitAcks(20, Duration.ofSeconds(60));

      for (int node = 0; node < 3; node++) {
        int[] owners = sc.owners();
        sc.load().avoid(node);
        long stopAt = System.nanoTime();
        int exit = sc.cluster.node(node).stop(Duration.ofSeconds(60));
        long stopMs = FaultScenario.ms(stopAt);
        Map<String, Long> perStream = new LinkedHashMap<>();
        long resumed = sc.awaitResume(stopAt, Duration.ofSeconds(60), perStream);
        // Node 0 comes back behind a partition that heals only after Pekko's seed-node-timeout
        // (5 s) would have let it start a cluster of its own; cluster formation must make it wait.
        boolean blip = node == 0;
        if (blip) sc.cluster.proxy().isolate(node);
        long startAt = System.nanoTime();
        sc.cluster.start(node);
        if (blip) {
          LockSupport.parkNanos(startAt + BLIP.toNanos() - System.nanoTime());
          sc.cluster.proxy().healAll();
        }
        sc.cluster.awaitUp(3, Duration.ofSeconds(120));
        long rejoinMs = FaultScenario.ms(startAt);
        sc.load().avoid();
        sc.awaitAcks(10, Duration.ofSeconds(60));
        String step = String.format("node %d (owners %s): SIGTERM exit %d in %d ms; every stream acknowledged an append sent"
            + " after the SIGTERM within %d ms %s; restarted%s and all Up in %d ms", node, Arrays.toString(owners), exit, stopMs,
            resumed, perStream, blip ? " behind a " + BLIP.toSeconds() + " s partition" : "", rejoinMs);
        sc.log("%s", step);
      }
      sc.finish();
    }
  }
}
