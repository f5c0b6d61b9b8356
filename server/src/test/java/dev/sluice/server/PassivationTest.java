package dev.sluice.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.sluice.actors.api.SluiceStreams;
import dev.sluice.actors.stream.StreamEntity;
import dev.sluice.core.Bytes;
import dev.sluice.persistence.rocksdb.RocksDbStorage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The active-entity limit (sluice/cluster.conf, {@code sluice-passivation}) bounds the streams a
 * node keeps in memory: past it the least recently used entities stop, and a later request
 * recovers them from the journal with nothing lost.
 */
class PassivationTest {
  private static final int LIMIT = 20;
  private Path dir;
  private ActorSystem<Void> system;
  private SluiceStreams streams;

  @BeforeEach
  void start() throws Exception {
    dir = Files.createTempDirectory("sluice-passivation");
    var config = ConfigFactory.parseString(
            "pekko.cluster.sharding.number-of-shards = 4\n"
                + "pekko.cluster.sharding.passivation.sluice-passivation.active-entity-limit = " + LIMIT + "\n")
        .withFallback(EmbeddingTest.appConfig(dir));
    system = ActorSystem.create(Behaviors.empty(), "passivation", config);
    var cluster = Cluster.get(system);
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    streams = SluiceStreams.start(system, RocksDbStorage.get(system).dataStore());
  }

  @AfterEach
  void stop() throws Exception {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private static <T> T await(CompletionStage<T> f) throws Exception {
    return f.toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private int liveEntities() throws Exception {
    ShardRegion.CurrentShardRegionState state = await(AskPattern.ask(
        ClusterSharding.get(system).shardState(),
        replyTo -> new GetShardRegionState(StreamEntity.TYPE_KEY, replyTo),
        Duration.ofSeconds(10), system.scheduler()));
    return state.getShards().stream().mapToInt(s -> s.getEntityIds().size()).sum();
  }

  @Test
  void theLeastRecentlyUsedStreamsArePassivatedAndRecoverIntact() throws Exception {
    int n = 10 * LIMIT;
    for (int i = 0; i < n; i++) {
      await(streams.create("s" + i, "text/plain"));
      await(streams.append("s" + i, "text/plain", Bytes.utf8("a" + i)));
      await(streams.append("s" + i, "text/plain", Bytes.utf8("-b")));
    }
    int live = liveEntities();
    assertTrue(live <= LIMIT, live + " live entities, limit " + LIMIT);
    // Every stream, passivated or not, still has its bytes and accepts appends at the right offset.
    for (int i = 0; i < n; i++) {
      var chunk = await(streams.read("s" + i, 0, 1 << 20));
      assertEquals("a" + i + "-b", chunk.units().stream().map(Bytes::utf8String).collect(Collectors.joining()));
      var r = await(streams.append("s" + i, "text/plain", Bytes.utf8("c")));
      assertEquals(("a" + i + "-b").length() + 1, r.nextOffset().position());
    }
    assertTrue(liveEntities() <= LIMIT);
  }

  /**
   * Passivation is the entity's own stop message, so an append that reached the entity before it
   * (its flush still on the way) is persisted and acknowledged rather than cut off; the stream
   * then recovers with it on the next request.
   */
  @Test
  void anAppendJustBeforeTheStopMessageIsAcknowledged() throws Exception {
    await(streams.create("p", "text/plain"));
    var entity = ClusterSharding.get(system).entityRefFor(StreamEntity.TYPE_KEY, "p");
    var append = new dev.sluice.core.rules.Commands.Append(
        "text/plain", dev.sluice.core.rules.Payloads.forContentType("text/plain", Bytes.utf8("x")), false, null, null);
    CompletionStage<StreamEntity.Reply<dev.sluice.core.rules.Commands.AppendResult>> reply =
        entity.ask(r -> new StreamEntity.Append(append, r), Duration.ofSeconds(10));
    entity.tell(StreamEntity.Passivate.INSTANCE);
    var ok = (StreamEntity.Reply.Ok<dev.sluice.core.rules.Commands.AppendResult>) await(reply);
    assertEquals(1, ok.value().nextOffset().position());
    // Sent outside sharding's passivation, the stop is not announced to the shard, which would
    // hand a message to the stopping entity until it sees it terminate: wait for that (each look
    // is one round trip to the shard region; bounded).
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (isLive("p")) {
      assertTrue(System.nanoTime() < deadline, "the entity did not stop");
    }
    assertEquals(2, await(streams.append("p", "text/plain", Bytes.utf8("y"))).nextOffset().position());
  }

  private boolean isLive(String stream) throws Exception {
    ShardRegion.CurrentShardRegionState state = await(AskPattern.ask(
        ClusterSharding.get(system).shardState(),
        replyTo -> new GetShardRegionState(StreamEntity.TYPE_KEY, replyTo),
        Duration.ofSeconds(10), system.scheduler()));
    return state.getShards().stream().anyMatch(s -> s.getEntityIds().contains(stream));
  }
}
