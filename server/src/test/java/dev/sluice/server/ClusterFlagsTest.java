package dev.sluice.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One node of a replicated 3-node cluster from {@code --cluster-nodes} and {@code --node-ordinal}. */
class ClusterFlagsTest {
  private static final String NODES = "127.0.0.1:25521,127.0.0.1:25522,127.0.0.1:25523";

  private static Config build(String... argv) {
    return Main.buildConfig(Args.parse(argv));
  }

  @Test
  void theNodeListIsTheReplicaSetTheSeedsAndThroughTheOrdinalTheNodesOwnAddress() {
    Config c = build("--cluster-nodes", NODES, "--node-ordinal", "1");
    assertTrue(c.getBoolean("sluice.replication.enabled"));
    assertEquals(List.of("127.0.0.1:25521", "127.0.0.1:25522", "127.0.0.1:25523"), c.getStringList("sluice.replication.nodes"));
    assertEquals(1, c.getInt("sluice.replication.node-ordinal"));
    assertEquals(25522, c.getInt("pekko.remote.artery.canonical.port"));
    assertEquals(List.of("pekko://sluice@127.0.0.1:25521", "pekko://sluice@127.0.0.1:25522", "pekko://sluice@127.0.0.1:25523"),
        c.getStringList("pekko.cluster.seed-nodes"));
    assertEquals("sluice.persistence.replicated-journal", c.getString("pekko.persistence.journal.plugin"));
    assertFalse(c.getBoolean("sluice.actors.single-node-guard"));
  }

  /**
   * Node 0 is the first seed node: without an answer from the others within its seed-node-timeout
   * it starts a new cluster. With Pekko's 5 s, a node 0 restarted while the others were slow to
   * answer formed a second cluster next to theirs (ReplicatedRollingRestartIT in multi-jvm-tests).
   */
  @Test
  void theFirstSeedNodeWaitsLongerBeforeItStartsAClusterOfItsOwn(@TempDir Path dir) throws Exception {
    assertEquals(Duration.ofSeconds(30),
        build("--cluster-nodes", NODES, "--node-ordinal", "0").getDuration("pekko.cluster.seed-node-timeout"));
    assertEquals(Duration.ofSeconds(5),
        build("--cluster-nodes", NODES, "--node-ordinal", "1").getDuration("pekko.cluster.seed-node-timeout"));
    Path own = Files.writeString(dir.resolve("own.conf"), "pekko.cluster.seed-node-timeout = 8s\n");
    assertEquals(Duration.ofSeconds(8), build("--cluster-nodes", NODES, "--node-ordinal", "0", "--config", own.toString())
        .getDuration("pekko.cluster.seed-node-timeout"), "an operator's own value wins");
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
    assertMessage("0..2", "--cluster-nodes", NODES, "--node-ordinal", "3");
    assertMessage("host:port", "--cluster-nodes", "a,b,c", "--node-ordinal", "0");
    assertMessage("twice", "--cluster-nodes", "h:1,h:1,h:2", "--node-ordinal", "0");
  }

  private static void assertMessage(String words, String... argv) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> build(argv));
    assertTrue(e.getMessage().contains(words), e.getMessage());
  }
}
