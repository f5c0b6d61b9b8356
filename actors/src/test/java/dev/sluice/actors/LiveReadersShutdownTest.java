package dev.sluice.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.sluice.actors.api.ActorsSettings;
import dev.sluice.actors.api.ReadChunk;
import dev.sluice.actors.api.SluiceStreams;
import dev.sluice.actors.api.TailOptions;
import java.time.Duration;
import java.time.InstantSource;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Regression: a long-poll whose client went away stayed pending until its timeout and held the
 * node's CoordinatedShutdown for that long. Shutting the TailHub down must release it at once.
 */
class LiveReadersShutdownTest {
  private ActorTestKit kit;

  @AfterEach
  void tearDown() {
    if (kit != null) kit.shutdownTestKit();
  }

  private SluiceStreams startStreams() throws Exception {
    var config = ConfigFactory.parseString("""
        pekko.actor.provider = cluster
        pekko.remote.artery.canonical.hostname = 127.0.0.1
        pekko.remote.artery.canonical.port = 0
        pekko.persistence.journal.plugin = "pekko.persistence.journal.inmem"
        pekko.persistence.snapshot-store.plugin = "pekko.persistence.snapshot-store.local"
        pekko.persistence.snapshot-store.local.dir = "target/snapshots-shutdown-%d"
        pekko.actor.serialization-bindings { "dev.sluice.core.CborSerializable" = jackson-cbor }
        """.formatted(System.nanoTime())).withFallback(ConfigFactory.load());
    kit = ActorTestKit.create("shutdown-test", config);
    var cluster = Cluster.get(kit.system());
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    return SluiceStreams.start(kit.system(), StreamEntityTest.NO_DATA,
        ActorsSettings.fromConfig(kit.system().settings().config()), InstantSource.system());
  }

  /**
   * Regression (embedding): SluiceStreams.start did not register the release of live readers with
   * CoordinatedShutdown (only the HTTP server did), so an embedded app's live tail failed with an
   * abrupt termination when the system stopped, instead of completing.
   */
  @Test
  void aLiveTailCompletesWhenTheSystemShutsDown() throws Exception {
    var streams = startStreams();
    streams.create("live", "text/plain").toCompletableFuture().get(20, TimeUnit.SECONDS);
    var first = new CompletableFuture<ReadChunk>();
    CompletionStage<Done> tail = streams.tail("live", 0, TailOptions.DEFAULTS.withKeepAlive(Duration.ofMinutes(10)))
        .runForeach(first::complete, kit.system());
    assertTrue(first.get(20, TimeUnit.SECONDS).upToDate(), "caught up, now waiting for data");

    CoordinatedShutdown.get(kit.system()).runAll(CoordinatedShutdown.unknownReason()).toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertEquals(Done.getInstance(), tail.toCompletableFuture().get(5, TimeUnit.SECONDS), "completed, not failed");
  }

  @Test
  void shuttingDownTheHubReleasesPendingLongPollsImmediately() throws Exception {
    var streams = startStreams();
    streams.create("lp", "text/plain").toCompletableFuture().get(20, TimeUnit.SECONDS);

    // Make sure the waiter is registered (it asks the entity first) before shutting down.
    var pending = streams.gateway().awaitBeyond("lp", 0, Duration.ofMinutes(10)).toCompletableFuture();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (streams.hub().activePaths() == 0 && System.nanoTime() < deadline) Thread.onSpinWait();

    streams.hub().shutdown();
    var result = pending.get(5, TimeUnit.SECONDS);
    assertTrue(result.isEmpty(), "released as a timeout (204), not with data");
    // Later waits do not block either.
    assertTrue(streams.gateway().awaitBeyond("lp", 0, Duration.ofMinutes(10)).toCompletableFuture()
        .get(5, TimeUnit.SECONDS).isEmpty());
  }
}
