package dev.sluice.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.sluice.actors.api.ReadChunk;
import dev.sluice.actors.api.SluiceStreams;
import dev.sluice.actors.api.StreamRejectedException;
import dev.sluice.core.Bytes;
import dev.sluice.core.error.ErrorCode;
import dev.sluice.core.protocol.ProducerClaim;
import dev.sluice.persistence.rocksdb.RocksDbStorage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Sluice embedded in an application's own ActorSystem, used through the Java API only (no HTTP):
 * the way an agent-orchestration app would use it (README "Embedding").
 */
class EmbeddingTest {
  private Path dir;
  private ActorSystem<Void> system;
  private SluiceStreams streams;

  @BeforeEach
  void start() throws Exception {
    dir = Files.createTempDirectory("sluice-embed");
    system = ActorSystem.create(Behaviors.empty(), "my-app", appConfig(dir));
    var cluster = Cluster.get(system);
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    streams = SluiceStreams.start(system, RocksDbStorage.get(system).dataStore());
  }

  /** What an application adds to its own config to embed Sluice. */
  static Config appConfig(Path dataDir) {
    return ConfigFactory.parseString("sluice.persistence.rocksdb.dir = \"" + dataDir + "\"\n"
            + "pekko.remote.artery.canonical.port = 0\n")
        .withFallback(ConfigFactory.parseResources("sluice/cluster.conf"))
        .withFallback(ConfigFactory.defaultReference())
        .resolve();
  }

  @AfterEach
  void stop() throws Exception {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private static <T> T await(java.util.concurrent.CompletionStage<T> f) throws Exception {
    return f.toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private static String text(ReadChunk c) {
    return c.units().stream().map(Bytes::utf8String).collect(Collectors.joining());
  }

  @Test
  void createAppendReadCloseThroughTheJavaApi() throws Exception {
    var created = await(streams.create("agents/session-1", "text/plain"));
    assertTrue(created.created());
    var a1 = await(streams.append("agents/session-1", "text/plain", Bytes.utf8("hello ")));
    var a2 = await(streams.append("agents/session-1", "text/plain", Bytes.utf8("world")));
    assertEquals(6, a1.nextOffset().position());
    assertEquals(11, a2.nextOffset().position());

    var all = await(streams.read("agents/session-1", 0, 1 << 20));
    assertEquals("hello world", text(all));
    assertTrue(all.upToDate());
    var tailOnly = await(streams.read("agents/session-1", 6, 1 << 20));
    assertEquals("world", text(tailOnly));

    var closed = await(streams.close("agents/session-1"));
    assertTrue(closed.closed());
    var failure = assertThrows(ExecutionException.class,
        () -> await(streams.append("agents/session-1", "text/plain", Bytes.utf8("late"))));
    var rejected = assertInstanceOf(StreamRejectedException.class, failure.getCause());
    assertEquals(ErrorCode.STREAM_CLOSED, rejected.rejection().code());
  }

  /**
   * Pekko's Java ask hands back Scala's CompletableFuture adapter, which runs even a plain
   * {@code thenApply} on ForkJoinPool.commonPool: one more thread hand-off per request. The API's
   * futures must run their stages where the reply arrives (or, if already complete, on the caller).
   */
  @Test
  void apiFuturesDoNotHopThroughTheCommonPool() throws Exception {
    await(streams.create("hops", "text/plain"));
    String caller = Thread.currentThread().getName();
    for (int i = 0; i < 20; i++) {
      String thread = await(streams.append("hops", "text/plain", Bytes.utf8("x"))
          .thenApply(r -> Thread.currentThread().getName()));
      // The actor thread that delivered the reply, or this thread if it was already complete.
      assertTrue(thread.equals(caller) || thread.startsWith("my-app-pekko.actor.default-dispatcher"), "stage ran on " + thread);
    }
  }

  @Test
  void idempotentProducerRetriesAreDeduplicated() throws Exception {
    await(streams.create("jobs", "application/json"));
    var first = await(streams.append("jobs", "application/json", Bytes.utf8("{\"step\":1}"), new ProducerClaim("w1", 0, 0)));
    var retry = await(streams.append("jobs", "application/json", Bytes.utf8("{\"step\":1}"), new ProducerClaim("w1", 0, 0)));
    assertFalse(first.duplicate());
    assertTrue(retry.duplicate());
    assertEquals(first.nextOffset(), retry.nextOffset());
    assertEquals("{\"step\":1}", text(await(streams.read("jobs", 0, 1 << 20))));
  }

  @Test
  void tailIsALiveSourceThatEndsWhenTheStreamCloses() throws Exception {
    await(streams.create("live", "text/plain"));
    await(streams.append("live", "text/plain", Bytes.utf8("a")));
    var collected = streams.tail("live", 0).runWith(Sink.seq(), system);
    await(streams.append("live", "text/plain", Bytes.utf8("b")));
    await(streams.append("live", "text/plain", Bytes.utf8("c")));
    await(streams.close("live"));
    List<ReadChunk> chunks = await(collected);
    String all = chunks.stream().map(EmbeddingTest::text).collect(Collectors.joining());
    assertEquals("abc", all);
    assertTrue(chunks.get(chunks.size() - 1).closedAtEnd());
  }

  @Test
  void concurrentLiveTailsEachGetEveryAppendOnceInOrder() throws Exception {
    await(streams.create("fan", "text/plain"));
    var tails = new java.util.ArrayList<java.util.concurrent.CompletionStage<List<ReadChunk>>>();
    for (int i = 0; i < 4; i++) tails.add(streams.tail("fan", 0).runWith(Sink.seq(), system));
    var expected = new StringBuilder();
    var appends = new java.util.ArrayList<java.util.concurrent.CompletionStage<?>>();
    for (int i = 0; i < 300; i++) {
      String item = i + ";";
      expected.append(item);
      // Not awaited one by one: appends batch inside the entity, so wake-ups carry several units.
      appends.add(streams.append("fan", "text/plain", Bytes.utf8(item)));
      if (i % 50 == 49) for (var a : appends) await(a);
    }
    await(streams.close("fan"));
    for (var t : tails) {
      String all = await(t).stream().map(EmbeddingTest::text).collect(Collectors.joining());
      assertEquals(expected.toString(), all);
    }
  }

  @Test
  void forkSharesThePrefixAndThenDiverges() throws Exception {
    await(streams.create("src", "text/plain"));
    var upTo = await(streams.append("src", "text/plain", Bytes.utf8("shared-")));
    await(streams.fork("fork", "src", upTo.nextOffset()));
    await(streams.append("src", "text/plain", Bytes.utf8("source-only")));
    await(streams.append("fork", "text/plain", Bytes.utf8("fork-only")));
    assertEquals("shared-fork-only", text(await(streams.read("fork", 0, 1 << 20))));
    assertEquals("shared-source-only", text(await(streams.read("src", 0, 1 << 20))));

    await(streams.delete("src")); // soft delete: the fork still reads the shared prefix
    assertEquals("shared-fork-only", text(await(streams.read("fork", 0, 1 << 20))));
  }

  @Test
  void dataSurvivesARestartOfTheActorSystem() throws Exception {
    await(streams.create("durable", "application/octet-stream"));
    await(streams.append("durable", "application/octet-stream", Bytes.utf8("persisted")));
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);

    system = ActorSystem.create(Behaviors.empty(), "my-app", appConfig(dir));
    var cluster = Cluster.get(system);
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    streams = SluiceStreams.start(system, RocksDbStorage.get(system).dataStore());
    var chunk = await(streams.read("durable", 0, 1 << 20));
    assertEquals("persisted", text(chunk));
    assertEquals(9, chunk.next().position());
  }
}
