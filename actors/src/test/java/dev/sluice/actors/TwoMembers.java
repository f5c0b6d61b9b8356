package dev.sluice.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.sluice.actors.api.ActorsSettings;
import dev.sluice.actors.api.SluiceStreams;
import java.time.Duration;
import java.time.InstantSource;
import java.util.stream.StreamSupport;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;

/**
 * Two cluster members in one JVM (real Artery on 127.0.0.1), both Up, each running Sluice's streams
 * on Pekko's in-memory journal: streams spread over both by Cluster Sharding, so a test can reach a
 * stream through the node that does not own it. The single-node guard is off (only the owner reads
 * its stream's events here, and data reads use a store without data).
 */
final class TwoMembers implements AutoCloseable {
  final ActorTestKit a;
  final ActorTestKit b;
  final SluiceStreams onA;
  final SluiceStreams onB;

  /** {@code extraConfig}: more HOCON for both members (e.g. an ask timeout). */
  TwoMembers(String name, String extraConfig) {
    a = ActorTestKit.create(name, config(name + "-a", extraConfig));
    b = ActorTestKit.create(name, config(name + "-b", extraConfig));
    var clusterA = Cluster.get(a.system());
    clusterA.manager().tell(Join.create(clusterA.selfMember().address()));
    Cluster.get(b.system()).manager().tell(Join.create(clusterA.selfMember().address()));
    TestProbe<Object> probe = TestProbe.create(b.system());
    probe.awaitAssert(Duration.ofSeconds(30), Duration.ofMillis(100), () -> {
      long up = StreamSupport.stream(clusterA.state().getMembers().spliterator(), false)
          .filter(m -> m.status() == MemberStatus.up()).count();
      assertEquals(2, up);
      return null;
    });
    onA = start(a);
    onB = start(b);
  }

  private static Config config(String name, String extraConfig) {
    return ConfigFactory.parseString(extraConfig).withFallback(ConfigFactory.parseString("""
        pekko.actor.provider = cluster
        pekko.remote.artery.canonical.hostname = 127.0.0.1
        pekko.remote.artery.canonical.port = 0
        pekko.actor.serialization-bindings { "dev.sluice.core.CborSerializable" = jackson-cbor }
        pekko.persistence.journal.plugin = "pekko.persistence.journal.inmem"
        pekko.persistence.snapshot-store.plugin = "pekko.persistence.snapshot-store.local"
        pekko.persistence.snapshot-store.local.dir = "target/snapshots-%s-%d"
        sluice.actors.single-node-guard = off
        """.formatted(name, System.nanoTime()))).withFallback(ConfigFactory.load());
  }

  private static SluiceStreams start(ActorTestKit kit) {
    return SluiceStreams.start(kit.system(), StreamEntityTest.NO_DATA,
        ActorsSettings.fromConfig(kit.system().settings().config()), InstantSource.system());
  }

  @Override
  public void close() {
    b.shutdownTestKit();
    a.shutdownTestKit();
  }
}
