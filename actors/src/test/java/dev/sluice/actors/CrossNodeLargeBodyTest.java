package dev.sluice.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.sluice.actors.api.ActorsSettings;
import dev.sluice.actors.api.SluiceStreams;
import dev.sluice.core.Bytes;
import dev.sluice.core.rules.Commands;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Bodies larger than Artery's maximum frame (256 KiB by default) reach a stream's owner on another
 * node. Two cluster members in one JVM (real Artery on loopback, default frame size); ten streams
 * created through node A, then a 1 MiB append to each through node B (Cluster Sharding puts about
 * half of them on A). Before the gateway sent large bodies in parts, Artery failed to serialize the
 * one envelope ("CodedOutputStream ran out of space"), dropped it, and the append timed out.
 * The same for a PUT with a large body through B.
 *
 * <p>The journal is Pekko's in-memory one and data reads are not exercised, so the single-node
 * guard is off for this test.
 */
class CrossNodeLargeBodyTest {
  private static final int MIB = 1 << 20;
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
        sluice.actors.ask-timeout = 5s
        """.formatted(name, System.nanoTime())).withFallback(ConfigFactory.load());
  }

  @AfterEach
  void tearDown() {
    if (b != null) b.shutdownTestKit();
    if (a != null) a.shutdownTestKit();
  }

  @Test
  void largeBodiesThroughANonOwnerNodeReachTheOwner() throws Exception {
    a = ActorTestKit.create("big", config("a"));
    b = ActorTestKit.create("big", config("b"));
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

    byte[] body = new byte[MIB];
    new Random(42).nextBytes(body);
    List<String> paths = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      String p = "big-" + i;
      paths.add(p);
      onA.create(p, "application/octet-stream").toCompletableFuture().get(20, TimeUnit.SECONDS);
    }
    List<String> failures = new ArrayList<>();
    for (String p : paths) {
      try {
        var r = onB.append(p, "application/octet-stream", Bytes.wrap(body)).toCompletableFuture().get(20, TimeUnit.SECONDS);
        assertEquals(MIB, r.nextOffset().position(), p);
      } catch (java.util.concurrent.ExecutionException e) {
        failures.add(p + ": " + e.getCause());
      }
    }
    assertTrue(failures.isEmpty(), "appends of 1 MiB through B failed: " + failures);
    for (String p : paths) {
      var v = onA.gateway().view(p, false).toCompletableFuture().get(20, TimeUnit.SECONDS);
      assertEquals(MIB, v.tail(), p);
    }

    // PUT with a large body, through B.
    for (int i = 0; i < 10; i++) {
      String p = "big-put-" + i;
      try {
        var r = onB.gateway().create(p, new Commands.Create("application/octet-stream", null, null, false,
            Bytes.wrap(body), null)).toCompletableFuture().get(20, TimeUnit.SECONDS);
        assertTrue(r.created(), p);
        assertEquals(MIB, r.info().tail().position(), p);
      } catch (java.util.concurrent.ExecutionException e) {
        failures.add(p + ": " + e.getCause());
      }
    }
    assertTrue(failures.isEmpty(), "creates with 1 MiB bodies through B failed: " + failures);
  }

  private static SluiceStreams start(ActorTestKit kit) {
    return SluiceStreams.start(kit.system(), StreamEntityTest.NO_DATA,
        ActorsSettings.fromConfig(kit.system().settings().config()), InstantSource.system());
  }
}
