package dev.sluice.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.sluice.actors.api.ActorsSettings;
import dev.sluice.actors.api.SluiceStreams;
import dev.sluice.actors.api.StreamRejectedException;
import dev.sluice.core.rules.StreamView;
import dev.sluice.core.Bytes;
import dev.sluice.core.error.ErrorCode;
import dev.sluice.core.protocol.ProducerClaim;
import dev.sluice.core.spi.DataUnit;
import dev.sluice.core.spi.StreamDataStore;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The stream entity on Pekko's in-memory journal with message and event serialization checks on.
 * Data reads are not exercised here (the in-memory journal does not index data); these tests pin
 * down sequencing, batching, producer dedup, TTL and fork bookkeeping.
 */
class StreamEntityTest {
  /** A controllable clock: tests move time, nothing sleeps. */
  static final AtomicLong NOW = new AtomicLong(Instant.parse("2026-01-01T00:00:00Z").toEpochMilli());

  static ActorTestKit kit;
  static SluiceStreams streams;

  /** Metadata-only tests: no data is read back. */
  static final StreamDataStore NO_DATA = new StreamDataStore() {
    @Override
    public List<DataUnit> read(long storeId, long fromPos, long toPos, int maxBytes) {
      return List.of();
    }

    @Override
    public Optional<DataUnit> unitAt(long storeId, long position) {
      return Optional.empty();
    }
  };

  @BeforeAll
  static void setUp() {
    var config = ConfigFactory.parseString("""
        pekko.actor.provider = cluster
        pekko.remote.artery.canonical.hostname = 127.0.0.1
        pekko.remote.artery.canonical.port = 0
        pekko.actor.serialize-messages = on
        pekko.actor.serialization-bindings { "dev.sluice.core.CborSerializable" = jackson-cbor }
        pekko.persistence.journal.plugin = "pekko.persistence.journal.inmem"
        pekko.persistence.journal.inmem.test-serialization = on
        pekko.persistence.snapshot-store.plugin = "pekko.persistence.snapshot-store.local"
        pekko.persistence.snapshot-store.local.dir = "target/snapshots-%d"
        """.formatted(System.nanoTime())).withFallback(ConfigFactory.load());
    kit = ActorTestKit.create("entity-test", config);
    var cluster = Cluster.get(kit.system());
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    InstantSource clock = () -> Instant.ofEpochMilli(NOW.get());
    streams = SluiceStreams.start(kit.system(), NO_DATA, ActorsSettings.fromConfig(kit.system().settings().config()), clock);
  }

  @AfterAll
  static void tearDown() {
    kit.shutdownTestKit();
  }

  static <T> T await(java.util.concurrent.CompletionStage<T> f) throws Exception {
    return f.toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  static ErrorCode rejectionOf(java.util.concurrent.CompletionStage<?> f) throws Exception {
    try {
      f.toCompletableFuture().get(20, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof StreamRejectedException r) return r.rejection().code();
      throw e;
    }
    return null;
  }

  @Test
  void concurrentAppendsGetContiguousDistinctOffsets() throws Exception {
    await(streams.create("batch", "application/octet-stream"));
    var futures = new ArrayList<CompletableFuture<dev.sluice.core.rules.Commands.AppendResult>>();
    for (int i = 0; i < 200; i++) {
      futures.add(streams.append("batch", "application/octet-stream", Bytes.utf8("x".repeat(1 + i % 7))).toCompletableFuture());
    }
    var ends = new HashSet<Long>();
    long total = 0;
    for (int i = 0; i < futures.size(); i++) {
      total += 1 + i % 7;
      ends.add(futures.get(i).get(20, TimeUnit.SECONDS).nextOffset().position());
    }
    assertEquals(200, ends.size(), "every append got its own offset");
    StreamView v = await(streams.gateway().view("batch", false));
    assertEquals(total, v.tail());
    assertTrue(ends.contains(total));
  }

  @Test
  void producerRetryIsDeduplicatedAndStaleEpochFenced() throws Exception {
    await(streams.create("prod", "text/plain"));
    var first = await(streams.append("prod", "text/plain", Bytes.utf8("a"), new ProducerClaim("p", 1, 0)));
    var dup = await(streams.append("prod", "text/plain", Bytes.utf8("a"), new ProducerClaim("p", 1, 0)));
    assertFalse(first.duplicate());
    assertTrue(dup.duplicate());
    assertEquals(1, await(streams.gateway().view("prod", false)).tail());
    assertEquals(ErrorCode.PRODUCER_EPOCH_STALE,
        rejectionOf(streams.append("prod", "text/plain", Bytes.utf8("z"), new ProducerClaim("p", 0, 1))));
  }

  @Test
  void slidingTtlExpiresAnIdleStreamAndAReadKeepsItAlive() throws Exception {
    var cmd = new dev.sluice.core.rules.Commands.Create("text/plain", 10L, null, false, Bytes.EMPTY, null);
    await(streams.gateway().create("ttl", cmd));
    NOW.addAndGet(8_000);
    await(streams.gateway().view("ttl", true)); // a read refreshes the window
    NOW.addAndGet(8_000);
    assertNotNull(await(streams.gateway().view("ttl", false)));
    NOW.addAndGet(3_000);
    assertEquals(ErrorCode.STREAM_NOT_FOUND, rejectionOf(streams.gateway().view("ttl", false)));
    // An expired stream is nonexistent: re-creating it with another config succeeds.
    var again = await(streams.create("ttl", "application/json"));
    assertTrue(again.created());
  }

  @Test
  void deletingASourceWithALiveForkSoftDeletesItUntilTheForkGoes() throws Exception {
    await(streams.create("s1", "text/plain"));
    await(streams.append("s1", "text/plain", Bytes.utf8("abc")));
    await(streams.fork("f1", "s1", null));
    await(streams.delete("s1"));
    assertEquals(ErrorCode.STREAM_GONE, rejectionOf(streams.gateway().view("s1", false)));
    assertEquals(ErrorCode.STREAM_SOFT_DELETED, rejectionOf(streams.create("s1", "text/plain")));
    await(streams.delete("f1"));
    // Cascading GC is asynchronous (a message from the fork to its source): poll until purged.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    ErrorCode code;
    do {
      code = rejectionOf(streams.gateway().view("s1", false));
    } while (code != ErrorCode.STREAM_NOT_FOUND && System.nanoTime() < deadline);
    assertEquals(ErrorCode.STREAM_NOT_FOUND, code);
  }

  @Test
  void awaitBeyondWakesOnAppendAndTimesOutWhenIdle() throws Exception {
    await(streams.create("lp", "text/plain"));
    var idle = await(streams.gateway().awaitBeyond("lp", 0, Duration.ofMillis(200)));
    assertTrue(idle.isEmpty());
    var waiting = streams.gateway().awaitBeyond("lp", 0, Duration.ofSeconds(20));
    await(streams.append("lp", "text/plain", Bytes.utf8("wake")));
    var woke = await(waiting);
    assertTrue(woke.isPresent());
    assertEquals(4, woke.get().tail());
  }
}
