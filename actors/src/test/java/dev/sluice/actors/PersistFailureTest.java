package dev.sluice.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.sluice.actors.api.ActorsSettings;
import dev.sluice.actors.api.ShardedStreamGateway;
import dev.sluice.actors.api.SluiceStreams;
import dev.sluice.actors.api.StreamReader;
import dev.sluice.core.rules.Commands;
import dev.sluice.core.rules.Payloads;
import java.time.Duration;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import dev.sluice.actors.api.StreamUnavailableException;
import dev.sluice.core.Bytes;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A journal write that fails leaves its outcome unknown: the clients of that write (and of the
 * appends queued behind it) get a prompt "unavailable, retry" instead of waiting for their ask to
 * time out, and the stream restarts by itself from the journal and serves the next request.
 */
class PersistFailureTest {
  private ActorTestKit kit;
  private PersistenceTestKit journal;
  private SluiceStreams streams;

  @BeforeEach
  void setUp() {
    var config = ConfigFactory.parseString("""
        pekko.actor.provider = cluster
        pekko.remote.artery.canonical.hostname = 127.0.0.1
        pekko.remote.artery.canonical.port = 0
        pekko.actor.serialization-bindings { "dev.sluice.core.CborSerializable" = jackson-cbor }
        pekko.persistence.snapshot-store.plugin = "pekko.persistence.snapshot-store.local"
        pekko.persistence.snapshot-store.local.dir = "target/snapshots-failure-%d"
        sluice.actors.ask-timeout = 10s
        """.formatted(System.nanoTime()))
        .withFallback(PersistenceTestKitPlugin.getInstance().config())
        .withFallback(ConfigFactory.load());
    kit = ActorTestKit.create("persist-failure", config);
    journal = PersistenceTestKit.create(kit.system());
    var cluster = Cluster.get(kit.system());
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    streams = SluiceStreams.start(kit.system(), StreamEntityTest.NO_DATA,
        ActorsSettings.fromConfig(kit.system().settings().config()), InstantSource.system());
  }

  @AfterEach
  void tearDown() {
    kit.shutdownTestKit();
  }

  @Test
  void aFailedWriteAnswersItsClientsAtOnceAndTheStreamComesBackByItself() throws Exception {
    streams.create("s", "text/plain").toCompletableFuture().get(20, TimeUnit.SECONDS);
    streams.append("s", "text/plain", Bytes.utf8("ab")).toCompletableFuture().get(20, TimeUnit.SECONDS);

    journal.failNextPersisted();
    List<CompletableFuture<?>> failing = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      failing.add(streams.append("s", "text/plain", Bytes.utf8("x")).toCompletableFuture());
    }
    // The writers of the failed write are answered when it fails, well before the 10 s ask
    // timeout. Appends Pekko had stashed behind it are dropped with the stopped entity (their
    // clients get the ask timeout); later ones may have been written by a new incarnation.
    long t0 = System.nanoTime();
    CompletableFuture.anyOf(failing.toArray(CompletableFuture[]::new)).handle((v, e) -> v).get(20, TimeUnit.SECONDS);
    long firstAnswerMillis = (System.nanoTime() - t0) / 1_000_000;
    assertTrue(firstAnswerMillis < 5_000, "first answer after " + firstAnswerMillis + " ms");
    int failed = 0;
    int written = 0;
    for (var f : failing) {
      try {
        f.get(20, TimeUnit.SECONDS);
        written++;
      } catch (ExecutionException e) {
        assertInstanceOf(StreamUnavailableException.class, e.getCause());
        failed++;
      }
    }
    assertTrue(failed >= 1, "the append of the failed write was answered");

    // Sharding starts the entity again on the next command; it recovers from the journal. A
    // client that raced the stop retries, as an HTTP client retries a 503.
    var retrying = new ShardedStreamGateway(ClusterSharding.get(kit.system()), streams.hub(),
        new StreamReader(StreamEntityTest.NO_DATA), Runnable::run, Duration.ofSeconds(1));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    Commands.AppendResult next = null;
    while (next == null && System.nanoTime() < deadline) {
      try {
        next = retrying.append("s", new Commands.Append("text/plain",
            Payloads.forContentType("text/plain", Bytes.utf8("cd")), false, null, null)).toCompletableFuture().get(20, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        assertInstanceOf(StreamUnavailableException.class, e.getCause());
      }
    }
    assertNotNull(next, "the stream came back within 30 s");
    assertEquals(2 + written + 2, next.nextOffset().position(),
        "recovered from the journal: the failed write stored nothing, the later ones are in place");
  }
}
