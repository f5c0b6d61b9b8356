package dev.sluice.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.sluice.actors.api.SluiceStreams;
import dev.sluice.persistence.rocksdb.RocksDbStorage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.Test;

/**
 * Until streams are replicated, Sluice must never run on a cluster of more than one member: a
 * second node would serve empty reads of streams written on the first (seen with two nodes joined
 * by {@code --seed-nodes}: 200 with {@code Content-Length: 0} and an advanced offset).
 */
class SingleNodeOnlyTest {

  @Test
  void seedNodesOtherThanTheNodeItselfAreAConfigurationError() {
    var args = Args.parse(new String[] {"--cluster-port", "25520", "--seed-nodes", "127.0.0.1:25521"});
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Main.buildConfig(args));
    assertTrue(e.getMessage().contains("multi-node clusters are not supported"), e.getMessage());
    assertTrue(e.getMessage().contains("127.0.0.1:25521"), e.getMessage());
  }

  @Test
  void theNodeItselfAsItsOnlySeedIsAccepted() {
    var args = Args.parse(new String[] {"--cluster-port", "25520", "--seed-nodes", "127.0.0.1:25520"});
    assertEquals(1, Main.buildConfig(args).getStringList("pekko.cluster.seed-nodes").size());
  }

  @Test
  void helpDoesNotOfferSeedNodes() {
    assertTrue(!Args.usage().contains("--seed-nodes"), Args.usage());
  }

  @Test
  void embeddingInASystemConfiguredToJoinOtherNodesIsRefused() throws Exception {
    Path dir = Files.createTempDirectory("sluice-guard");
    Config config = ConfigFactory.parseString(
            "pekko.cluster.seed-nodes = [\"pekko://my-app@127.0.0.1:1\"]\n")
        .withFallback(EmbeddingTest.appConfig(dir));
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "my-app", config);
    try {
      IllegalStateException e = assertThrows(IllegalStateException.class,
          () -> SluiceStreams.start(system, RocksDbStorage.get(system).dataStore()));
      assertTrue(e.getMessage().contains("pekko://my-app@127.0.0.1:1"), e.getMessage());
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void aNodeRunningStreamsLeavesWhenASecondMemberJoinsIt() throws Exception {
    Path dir = Files.createTempDirectory("sluice-guard");
    ActorSystem<Void> first = ActorSystem.create(Behaviors.empty(), "my-app", EmbeddingTest.appConfig(dir));
    ActorSystem<Void> second = ActorSystem.create(Behaviors.empty(), "my-app", EmbeddingTest.appConfig(dir.resolve("other")));
    try {
      Cluster firstCluster = Cluster.get(first);
      firstCluster.manager().tell(Join.create(firstCluster.selfMember().address()));
      SluiceStreams.start(first, RocksDbStorage.get(first).dataStore());
      Cluster.get(second).manager().tell(Join.create(firstCluster.selfMember().address()));

      TestProbe<Object> probe = TestProbe.create(second);
      probe.awaitAssert(Duration.ofSeconds(30), Duration.ofMillis(100), () -> {
        MemberStatus status = firstCluster.selfMember().status();
        assertTrue(status == MemberStatus.leaving() || status == MemberStatus.exiting()
            || status == MemberStatus.removed() || first.whenTerminated().isCompleted(),
            "the node with streams is still " + status);
        return null;
      });
    } finally {
      first.terminate();
      second.terminate();
      first.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
      second.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }
}
