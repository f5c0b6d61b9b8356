package dev.sluice.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.sluice.actors.api.ActorsSettings;
import dev.sluice.actors.api.SluiceStreams;
import dev.sluice.core.Bytes;
import dev.sluice.core.rules.StreamView;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Live readers connected to one node wake up when the stream's owner on ANOTHER node commits.
 * Two cluster members in one JVM (real Artery on loopback); 20 streams spread over both by Cluster
 * Sharding, so about half are owned by the node the readers are not on. Each reader long-polls
 * through node B with a 20 s timeout, then each stream gets an append through node A: every reader
 * must wake with the new tail well before its timeout. Without the relay the readers of streams
 * owned by A slept until their timeout.
 *
 * <p>The journal is Pekko's in-memory one (only the owner ever reads its stream's events here) and
 * data reads are not exercised, so the single-node guard is off for this test.
 */
class CrossNodeWakeUpTest {
  private ActorTestKit a;
  private ActorTestKit b;

  private static Config config(String name) {
    return ConfigFactory.parseString("""
        pekko.actor.provider = cluster
        pekko.remote.artery.canonical.hostname = 127.0.0.1
        pekko.remote.artery.canonical.port = 0
        pekko.actor.serialization-bindings { "dev.sluice.core.CborSerializable" = jackson-cbor }
        pekko.persistence.journal.plugin = "pekko.persistence.journal.inmem"
        pekko.persistence.snapshot-store.plugin = "pekko.persistence.snapshot-store.local"
        pekko.persistence.snapshot-store.local.dir = "target/snapshots-%s-%d"
        sluice.actors.single-node-guard = off
        """.formatted(name, System.nanoTime())).withFallback(ConfigFactory.load());
  }

  @AfterEach
  void tearDown() {
    if (b != null) b.shutdownTestKit();
    if (a != null) a.shutdownTestKit();
  }

  @Test
  void aReaderOnOneNodeWakesWhenTheOwnerOnAnotherNodeCommits() throws Exception {
    a = ActorTestKit.create("wake", config("a"));
    b = ActorTestKit.create("wake", config("b"));
    var clusterA = Cluster.get(a.system());
    clusterA.manager().tell(Join.create(clusterA.selfMember().address()));
    Cluster.get(b.system()).manager().tell(Join.create(clusterA.selfMember().address()));
    TestProbe<Object> probe = TestProbe.create(b.system());
    probe.awaitAssert(Duration.ofSeconds(30), Duration.ofMillis(100), () -> {
      long up = java.util.stream.StreamSupport.stream(clusterA.state().getMembers().spliterator(), false)
          .filter(m -> m.status() == MemberStatus.up()).count();
      assertEquals(2, up);
      return null;
    });
    SluiceStreams onA = start(a);
    SluiceStreams onB = start(b);

    List<String> paths = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      String p = "wake-" + i;
      paths.add(p);
      onA.create(p, "text/plain").toCompletableFuture().get(20, TimeUnit.SECONDS);
    }
    List<CompletableFuture<Optional<StreamView>>> waits = new ArrayList<>();
    for (String p : paths) {
      waits.add(onB.gateway().awaitBeyond(p, 0, Duration.ofSeconds(20)).toCompletableFuture());
    }
    // Every wait has looked (asked its entity) before the appends: the first look registers the watch.
    probe.awaitAssert(Duration.ofSeconds(20), Duration.ofMillis(50), () -> {
      assertEquals(20, onB.hub().activePaths());
      return null;
    });
    long t0 = System.nanoTime();
    for (String p : paths) {
      onA.append(p, "text/plain", Bytes.utf8("hi")).toCompletableFuture().get(20, TimeUnit.SECONDS);
    }
    for (int i = 0; i < paths.size(); i++) {
      Optional<StreamView> woke = waits.get(i).get(30, TimeUnit.SECONDS);
      assertTrue(woke.isPresent(), paths.get(i) + " timed out instead of waking");
      assertEquals(2, woke.get().tail(), paths.get(i));
    }
    long millis = (System.nanoTime() - t0) / 1_000_000;
    assertTrue(millis < 10_000, "all readers woke " + millis + " ms after the appends began (timeout 20 s)");
  }

  private static SluiceStreams start(ActorTestKit kit) {
    return SluiceStreams.start(kit.system(), StreamEntityTest.NO_DATA,
        ActorsSettings.fromConfig(kit.system().settings().config()), InstantSource.system());
  }
}
