package dev.sluice.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import java.util.List;
import org.junit.jupiter.api.Test;

/** One node of a replicated 3-node cluster from {@code --cluster-nodes} and {@code --node-ordinal}. */
class ClusterFlagsTest {
  private static final String NODES = "127.0.0.1:25521,127.0.0.1:25522,127.0.0.1:25523";

  private static Config build(String... argv) {
    return Main.buildConfig(Args.parse(argv));
  }

  @Test
  void theNodeListIsTheReplicaSetAndThroughTheOrdinalTheNodesOwnAddress() {
    Config c = build("--cluster-nodes", NODES, "--node-ordinal", "1");
    assertTrue(c.getBoolean("sluice.replication.enabled"));
    assertEquals(List.of("127.0.0.1:25521", "127.0.0.1:25522", "127.0.0.1:25523"), c.getStringList("sluice.replication.nodes"));
    assertEquals(1, c.getInt("sluice.replication.node-ordinal"));
    assertEquals(25522, c.getInt("pekko.remote.artery.canonical.port"));
    // No Pekko seed nodes: ClusterFormation joins (Pekko's first seed node may form a cluster of its own).
    assertEquals(List.of(), c.getStringList("pekko.cluster.seed-nodes"));
    assertEquals("sluice.persistence.replicated-journal", c.getString("pekko.persistence.journal.plugin"));
    assertFalse(c.getBoolean("sluice.actors.single-node-guard"));
  }

  @Test
  void aSingleNodeKeepsTheLocalJournalAndTheGuard() {
    Config c = build();
    assertFalse(c.hasPath("sluice.replication.enabled") && c.getBoolean("sluice.replication.enabled"));
    assertEquals("sluice.persistence.journal", c.getString("pekko.persistence.journal.plugin"));
    assertTrue(c.getBoolean("sluice.actors.single-node-guard"));
  }

  @Test
  void badClusterFlagsAreUsageErrorsThatSayWhy() {
    assertMessage("exactly 3", "--cluster-nodes", "127.0.0.1:1,127.0.0.1:2", "--node-ordinal", "0");
    assertMessage("needs --node-ordinal", "--cluster-nodes", NODES);
    assertMessage("0, 1 or 2", "--cluster-nodes", NODES, "--node-ordinal", "3");
    assertMessage("host:port", "--cluster-nodes", "a,b,c", "--node-ordinal", "0");
    assertMessage("twice", "--cluster-nodes", "h:1,h:1,h:2", "--node-ordinal", "0");
  }

  private static void assertMessage(String words, String... argv) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> build(argv));
    assertTrue(e.getMessage().contains(words), e.getMessage());
  }
}
