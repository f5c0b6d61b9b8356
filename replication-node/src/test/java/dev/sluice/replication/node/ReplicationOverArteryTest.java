package dev.sluice.replication.node;

import static dev.sluice.replication.node.ThreeNodes.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.replication.Entry;
import dev.sluice.replication.Payload;
import dev.sluice.replication.node.WriterDriver.AppendRejectedException;
import dev.sluice.replication.node.WriterDriver.AppendUncertainException;
import dev.sluice.replication.node.WriterDriver.OpenResult;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The replicated journal's write path on three actor systems over real Artery: a writer on node 0
 * appends, every replica stores and materializes, node 0 dies, a writer on node 1 fences, recovers and
 * continues, and a writer left behind with an older epoch (a zombie) can never get an append acked.
 */
class ReplicationOverArteryTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final int APPENDS = 1_000;

  @Test
  void aThousandConcurrentAppendsAreAckedDenseAndSurviveTheOwnersNode() throws Exception {
    try (ThreeNodes cluster = ThreeNodes.start()) {
      String stream = "stream-a";
      WriterDriver first = cluster.node(0).openWriter(stream);
      OpenResult opened = get(first.opened());
      assertEquals(0, opened.tailSeq());

      // Disks that are slow, and one that fails a few persists mid-stream: that replica drops its
      // unsent acks, reloads the stream, answers Gap and is caught up by the writer.
      cluster.store(1).delay(1);
      cluster.store(2).delay(2);
      cluster.store(2).failNext(3);
      long started = System.nanoTime();
      List<CompletableFuture<Long>> acks = new ArrayList<>();
      for (int i = 0; i < APPENDS; i++) acks.add(first.append(value(i)).toCompletableFuture());
      CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
      long millis = (System.nanoTime() - started) / 1_000_000;
      System.out.printf("%d concurrent appends acked in %d ms%n", APPENDS, millis);

      // Dense: offsets 1..1000, each once; issued in order from one thread, so in that order.
      for (int i = 0; i < APPENDS; i++) assertEquals(i + 1L, acks.get(i).get(), "offset of append " + i);

      // Every replica holds them and, once the commit point reaches it, materializes them.
      for (int r = 0; r < 3; r++) {
        InMemoryReplicaStore store = cluster.store(r);
        await("replica " + r + " materialized " + APPENDS, WAIT, () -> store.readable(stream).size() == APPENDS);
        assertStreamHolds(store, stream, APPENDS);
        assertNull(store.contractViolation());
        System.out.printf("replica %d: %d store persists for %d appends (per-stream folding)%n", r, store.persists(), APPENDS);
      }

      cluster.terminate(0);

      // A writer on node 2 takes over first; it becomes the zombie once node 1's writer fences it.
      WriterDriver zombie = cluster.node(2).openWriter(stream);
      OpenResult zombieOpen = get(zombie.opened());
      assertEquals(APPENDS, zombieOpen.tailSeq());

      WriterDriver second = cluster.node(1).openWriter(stream);
      OpenResult reopened = get(second.opened());
      assertTrue(reopened.epoch() > zombieOpen.epoch(), "the new owner fences above every earlier epoch");
      assertEquals(APPENDS, reopened.tailSeq());
      assertEquals(APPENDS, reopened.lac());
      assertEquals(APPENDS + 1L, get(second.append(utf8("after-failover"))));

      // The zombie still believes it serves; its append must never be acked.
      ExecutionException refused = assertThrows(ExecutionException.class,
          () -> zombie.append(utf8("from-the-zombie")).toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS));
      assertTrue(refused.getCause() instanceof AppendUncertainException || refused.getCause() instanceof AppendRejectedException,
          "refused as uncertain or rejected, was " + refused.getCause());
      get(zombie.closed());

      assertEquals(APPENDS + 2L, get(second.append(utf8("still-serving"))));
      for (int r = 1; r < 3; r++) {
        InMemoryReplicaStore store = cluster.store(r);
        await("replica " + r + " materialized the new owner's appends", WAIT, () -> store.readable(stream).size() == APPENDS + 2);
        assertStreamHolds(store, stream, APPENDS);
        Map<Long, Payload> readable = store.readable(stream);
        assertEquals("after-failover", readable.get(APPENDS + 1L).utf8());
        assertEquals("still-serving", readable.get(APPENDS + 2L).utf8());
        assertTrue(store.entries(stream).stream().noneMatch(e -> e.payload().utf8().equals("from-the-zombie")), "zombie entry stored on " + r);
        assertNull(store.contractViolation());
      }
    }
  }

  @Test
  void aOneMebibyteEntryCrossesArteryInChunksAndArrivesWhole() throws Exception {
    try (ThreeNodes cluster = ThreeNodes.start()) {
      String stream = "stream-big";
      WriterDriver writer = cluster.node(0).openWriter(stream);
      // Appends issued before the open completes wait for it.
      byte[] big = new byte[1 << 20];
      new Random(42).nextBytes(big);
      CompletionStage<Long> small = writer.append(utf8("before"));
      CompletionStage<Long> large = writer.append(big);
      CompletionStage<Long> after = writer.append(utf8("after"));
      assertEquals(1L, get(small));
      assertEquals(2L, get(large));
      assertEquals(3L, get(after));
      for (int r = 0; r < 3; r++) {
        InMemoryReplicaStore store = cluster.store(r);
        await("replica " + r + " materialized the large entry", WAIT, () -> store.readable(stream).size() == 3);
        assertArrayEquals(big, store.readable(stream).get(2L).bytes(), "replica " + r);
      }
    }
  }

  private static void assertStreamHolds(InMemoryReplicaStore store, String stream, int n) {
    List<Entry> entries = store.entries(stream);
    assertTrue(entries.size() >= n, "replica " + store.replica() + " holds " + entries.size());
    Map<Long, Payload> readable = store.readable(stream);
    for (int i = 0; i < n; i++) {
      assertEquals(i + 1L, entries.get(i).seq());
      assertEquals("value-" + i, entries.get(i).payload().utf8(), "entry " + (i + 1) + " on replica " + store.replica());
      assertEquals("value-" + i, readable.get(i + 1L).utf8(), "materialized " + (i + 1) + " on replica " + store.replica());
    }
  }

  private static byte[] value(int i) {
    return utf8("value-" + i);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static <T> T get(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }
}
