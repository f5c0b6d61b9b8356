package dev.sluice.persistence.replicated;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.Bytes;
import dev.sluice.persistence.store.Column;
import dev.sluice.persistence.store.JournalStore;
import dev.sluice.persistence.store.KeyLayout;
import dev.sluice.persistence.store.LogRecord;
import dev.sluice.persistence.store.SerializedBlob;
import dev.sluice.persistence.store.StorageException;
import dev.sluice.persistence.store.StreamKey;
import dev.sluice.persistence.store.StreamWrite;
import dev.sluice.persistence.store.WriteOp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.Test;

/**
 * Ownership moving between nodes: the owner's node dies with writes in flight and another node takes
 * the stream over; a deposed owner (zombie) keeps writing; a writer idles out and comes back. Three
 * nodes on Artery over loopback, each with its own RocksDB.
 */
class ReplicatedJournalFailoverTest {
  private static final long TIMEOUT_S = 30;

  @Test
  void everyAcknowledgedWriteSurvivesTheOwnersNodeAndTheStreamContinuesOnAnother() throws Exception {
    try (ReplicatedNodes nodes = ReplicatedNodes.start()) {
      StreamKey s = StreamKey.of("failover");
      ReplicatedJournalStore first = nodes.store(0);
      assertEquals(0L, await(first.highestSequenceNr(s)));
      for (long seq = 1; seq <= 50; seq++) {
        await(first.write(List.of(events(s, seq, seq, "first"))));
      }
      // Pipelined writes, some still in flight when the node goes.
      List<CompletableFuture<Void>> inFlight = new ArrayList<>();
      for (long seq = 51; seq <= 150; seq++) {
        inFlight.add(first.write(List.of(events(s, seq, seq, "first"))).toCompletableFuture());
      }
      await(inFlight.get(9)); // at least up to 60 acknowledged
      nodes.terminate(0);
      long acked = 50;
      for (int i = 0; i < inFlight.size(); i++) {
        CompletableFuture<Void> f = inFlight.get(i);
        if (f.isDone() && !f.isCompletedExceptionally()) {
          acked = 51 + i;
        }
      }

      ReplicatedJournalStore second = nodes.store(1);
      long highest = await(second.highestSequenceNr(s));
      System.out.printf("failover: node 0 acknowledged 1..%d of 150, node 1 recovered 1..%d%n", acked, highest);
      assertTrue(highest >= acked, "every acknowledged write recovered: highest " + highest + " < acked " + acked);
      assertEquals(texts(s, 1, highest, "first"), replayAll(second, s), "a dense prefix of what node 0 wrote");

      for (long seq = highest + 1; seq <= highest + 10; seq++) {
        await(second.write(List.of(events(s, seq, seq, "second"))));
      }
      List<String> expected = new ArrayList<>(texts(s, 1, highest, "first"));
      expected.addAll(texts(s, highest + 1, highest + 10, "second"));
      assertEquals(expected, replayAll(second, s));

      // The third node was a follower throughout; opening there sees the same stream.
      ReplicatedJournalStore third = nodes.store(2);
      assertEquals(highest + 10, await(third.highestSequenceNr(s)));
      assertEquals(expected, replayAll(third, s));
      second.close();
      third.close();
    }
  }

  @Test
  void aDeposedOwnersWritesFailAndNothingItWroteAfterBeingFencedIsEverReplayed() throws Exception {
    try (ReplicatedNodes nodes = ReplicatedNodes.start()) {
      StreamKey s = StreamKey.of("zombie");
      ReplicatedJournalStore zombie = nodes.store(0);
      assertEquals(0L, await(zombie.highestSequenceNr(s)));
      await(zombie.write(List.of(events(s, 1, 3, "old-owner"))));

      ReplicatedJournalStore owner = nodes.store(1);
      assertEquals(3L, await(owner.highestSequenceNr(s)), "the new owner fenced the old one and found its writes");
      await(owner.write(List.of(events(s, 4, 5, "new-owner"))));

      // The zombie's entity still believes it is at 3.
      ExecutionException fenced = assertThrows(ExecutionException.class, () -> await(zombie.write(List.of(events(s, 4, 4, "zombie")))));
      assertInstanceOf(StorageException.class, fenced.getCause());
      ExecutionException after = assertThrows(ExecutionException.class, () -> await(zombie.write(List.of(events(s, 5, 5, "zombie")))));
      assertInstanceOf(StorageException.class, after.getCause(), "a failed writer takes no further writes");

      await(owner.write(List.of(events(s, 6, 6, "new-owner"))));
      List<String> expected = new ArrayList<>(texts(s, 1, 3, "old-owner"));
      expected.addAll(texts(s, 4, 6, "new-owner"));
      assertEquals(expected, replayAll(owner, s));
      // Every node, the zombie's included, ends up with the new owner's history and none of the zombie's.
      for (int i : new int[] {0, 2}) {
        ReplicatedJournalStore reader = nodes.store(i);
        assertEquals(6L, await(reader.highestSequenceNr(s)), "node " + i);
        assertEquals(expected, replayAll(reader, s), "node " + i);
        reader.close();
      }
      zombie.close();
      owner.close();
    }
  }

  @Test
  void anIdleWriterStopsAndTheNextWriteReopensUnlessAnotherOwnerWroteMeanwhile() throws Exception {
    try (ReplicatedNodes nodes = ReplicatedNodes.start()) {
      StreamKey s = StreamKey.of("idle");
      ReplicatedJournalStore store = nodes.store(0, ReplicatedNodes.settings(Duration.ofMillis(200)));
      assertEquals(0L, await(store.highestSequenceNr(s)));
      await(store.write(List.of(events(s, 1, 2, "a"))));
      TestProbe<Void> probe = TestProbe.create(nodes.system(0));
      probe.awaitAssert(Duration.ofSeconds(10), () -> {
        assertEquals(0, store.sessionCount(), "the idle writer stopped");
        return null;
      });

      await(store.write(List.of(events(s, 3, 3, "a"))));
      assertEquals(texts(s, 1, 3, "a"), replayAll(store, s), "re-opened transparently");
      probe.awaitAssert(Duration.ofSeconds(10), () -> {
        assertEquals(0, store.sessionCount());
        return null;
      });

      // Another owner wrote while this one idled: its entity is stale, and its write does not continue.
      ReplicatedJournalStore other = nodes.store(1);
      assertEquals(3L, await(other.highestSequenceNr(s)));
      await(other.write(List.of(events(s, 4, 4, "b"))));
      ExecutionException stale = assertThrows(ExecutionException.class, () -> await(store.write(List.of(events(s, 4, 4, "a")))));
      assertInstanceOf(NotStoredException.class, stale.getCause());

      List<String> expected = new ArrayList<>(texts(s, 1, 3, "a"));
      expected.addAll(texts(s, 4, 4, "b"));
      assertEquals(expected, replayAll(store, s), "the stale write's node materialized the other owner's write");
      assertEquals(0, Replication.get(nodes.system(0)).replicaStore().streamsAwaitingMaterialization(), "no waiter leaked");
      store.close();
      other.close();
    }
  }

  /** Events {@code from..to} of {@code stream} in one write, their contents tagged with {@code who}. */
  static StreamWrite events(StreamKey stream, long from, long to, String who) {
    List<WriteOp> ops = new ArrayList<>();
    for (long seq = from; seq <= to; seq++) {
      byte[] key = KeyLayout.seqKey(stream.placementGroup(), stream.persistenceId(), seq);
      SerializedBlob blob = new SerializedBlob(0, "", Bytes.utf8(text(stream, seq, who)));
      ops.add(WriteOp.put(Column.LOG, key, new LogRecord(0, who, blob).encode(key)));
    }
    ops.add(new WriteOp.MetaAppended(from, to, 0));
    return new StreamWrite(stream, ops);
  }

  private static String text(StreamKey stream, long seq, String who) {
    return stream.persistenceId() + "#" + seq + "@" + who;
  }

  private static List<String> texts(StreamKey stream, long from, long to, String who) {
    List<String> t = new ArrayList<>();
    for (long seq = from; seq <= to; seq++) {
      t.add(text(stream, seq, who));
    }
    return t;
  }

  private static List<String> replayAll(JournalStore store, StreamKey stream) throws Exception {
    List<String> seen = new ArrayList<>();
    await(store.replay(stream, 0, Long.MAX_VALUE, Long.MAX_VALUE, e -> seen.add(e.record().repr().bytes().utf8String())));
    return seen;
  }

  private static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(TIMEOUT_S, TimeUnit.SECONDS);
  }
}
