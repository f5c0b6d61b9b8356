package dev.sluice.persistence.rocksdb;

import static dev.sluice.persistence.rocksdb.ReplicaStoreFixture.await;
import static dev.sluice.persistence.support.ReplicaFixtures.STORE;
import static dev.sluice.persistence.support.ReplicaFixtures.entry;
import static dev.sluice.persistence.support.ReplicaFixtures.events;
import static dev.sluice.persistence.support.ReplicaFixtures.oneEventEach;
import static dev.sluice.persistence.support.ReplicaFixtures.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.spi.DataUnit;
import dev.sluice.core.spi.StorageFullException;
import dev.sluice.persistence.store.StreamKey;
import dev.sluice.persistence.support.TestStorage;
import dev.sluice.replication.Effect;
import dev.sluice.replication.Entry;
import dev.sluice.replication.Epoch;
import dev.sluice.replication.LogChange;
import dev.sluice.replication.Payload;
import dev.sluice.replication.ReplicaState;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Materialization: committed entries' payloads become the stream's readable state (the local
 * journal's replay and highest sequence number, the {@code data} units), never an entry above lac,
 * never one twice; pipelined persists sharing a batch see each other; a failed persist in a batch
 * disturbs nothing else; and the write gate and disk-full handling apply to persists as to every write.
 */
class ReplicaMaterializationTest {
  private static final long E1 = Epoch.of(1, 0);
  private static final long E2 = Epoch.of(2, 1);
  private ReplicaStoreFixture node;

  @BeforeEach
  void open() {
    node = new ReplicaStoreFixture("replica-materialize");
  }

  @AfterEach
  void close() {
    node.close();
  }

  private CompletionStage<Void> persist(ReplicaState meta, LogChange change, Effect.Committed materialize) {
    return node.store.persist(meta.stream(), meta, change, materialize);
  }

  private static List<String> texts(String stream, String tag, long from, long to) {
    List<String> out = new ArrayList<>();
    for (long seq = from; seq <= to; seq++) {
      out.add(text(stream, tag, seq));
    }
    return out;
  }

  private List<String> data(long from, long to) {
    return node.data().read(STORE, from, to + 1, Integer.MAX_VALUE).stream().map(DataUnit::data)
        .map(b -> b.utf8String()).toList();
  }

  private static Throwable failure(CompletionStage<Void> stage) {
    ExecutionException e = assertThrows(ExecutionException.class, () -> stage.toCompletableFuture().get(10, TimeUnit.SECONDS));
    return e.getCause();
  }

  /** Three entries (events 1-2, 3, 4-6): only what lac covers is readable, and then exactly that. */
  private List<Entry> threeEntries() {
    return List.of(entry(1, E1, events("s", "a", 1, 2)), entry(2, E1, events("s", "a", 3, 3)), entry(3, E1, events("s", "a", 4, 6)));
  }

  @Test
  void committedEntriesBecomeReadableAndUncommittedOnesDoNot() throws Exception {
    await(persist(node.state("s", 3, E1, 0), LogChange.append(threeEntries()), null));
    assertEquals(List.of(), node.replay("s"), "nothing is committed yet");
    assertEquals(0, node.highestSequenceNr("s"));
    assertEquals(List.of(), data(1, 6));

    await(persist(node.state("s", 3, E1, 2), LogChange.NONE, new Effect.Committed(0, 2)));
    assertEquals(texts("s", "a", 1, 3), node.replay("s"));
    assertEquals(3, node.highestSequenceNr("s"));
    assertEquals(texts("s", "a", 1, 3), data(1, 6));
    assertEquals(2, node.store.materializedUpTo("s"));

    node.reopen();
    assertEquals(texts("s", "a", 1, 3), node.replay("s"), "materialized state is durable with the meta");
    assertEquals(2, node.store.materializedUpTo("s"));
  }

  /** A follower usually gets entries and the lac covering them in the same append: one batch does both. */
  @Test
  void entriesAppendedAndCommittedInOnePersistAreMaterializedFromTheChangeItself() throws Exception {
    await(persist(node.state("s", 3, E1, 3), LogChange.append(threeEntries()), new Effect.Committed(0, 3)));
    assertEquals(texts("s", "a", 1, 6), node.replay("s"));
    assertEquals(6, node.highestSequenceNr("s"));
  }

  /**
   * A repeated Committed, an overlapping one, and one that starts above what was materialized (a
   * driver that once passed none): each entry is applied exactly once, in order. Applying one twice
   * would trip the journal's continuity guard (MetaAppended refuses firstSeq <= highestEver).
   */
  @Test
  void materializingIsIdempotentAndFillsAGapInOrder() throws Exception {
    await(persist(node.state("s", 3, E1, 1), LogChange.append(threeEntries()), new Effect.Committed(0, 1)));
    await(persist(node.state("s", 3, E1, 1), LogChange.NONE, new Effect.Committed(0, 1)));
    assertEquals(texts("s", "a", 1, 2), node.replay("s"));

    await(persist(node.state("s", 3, E1, 2), LogChange.NONE, null)); // lac moved, nothing materialized
    assertEquals(1, node.store.materializedUpTo("s"));
    await(persist(node.state("s", 3, E1, 3), LogChange.NONE, new Effect.Committed(2, 3)));
    assertEquals(texts("s", "a", 1, 6), node.replay("s"), "entry 2 applied before 3");
    await(persist(node.state("s", 3, E1, 3), LogChange.NONE, new Effect.Committed(1, 3)));
    assertEquals(texts("s", "a", 1, 6), node.replay("s"));
    assertEquals(6, node.highestSequenceNr("s"));
    assertEquals(3, node.store.materializedUpTo("s"));
  }

  /**
   * Pipelined persists of one stream in ONE batch: an append, a recovery's truncate-and-replace, and a
   * commit that materializes the replaced entries. The commit must read the replacement (from the
   * batch), not the committed old suffix, and every persist shares the one fsync.
   */
  @Test
  void pipelinedPersistsInOneBatchSeeEachOthersEntries() throws Exception {
    await(persist(node.state("s", 1, E1, 0), LogChange.append(oneEventEach("s", "old", 1, 1, 1, E1)), null));
    var release = node.holdWriter();
    long batchesBefore = node.handle.writer().stats().batches();
    var appended = persist(node.state("s", 3, E1, 0), LogChange.append(oneEventEach("s", "old", 2, 2, 2, E1)), null);
    var replaced = persist(node.state("s", 4, E2, 1), LogChange.replace(1, oneEventEach("s", "new", 2, 2, 3, E2)),
        new Effect.Committed(0, 1));
    var committed = persist(node.state("s", 4, E2, 4), LogChange.NONE, new Effect.Committed(1, 4));
    release.countDown();
    await(appended);
    await(replaced);
    await(committed);
    List<String> expected = new ArrayList<>(texts("s", "old", 1, 1));
    expected.addAll(texts("s", "new", 2, 4));
    assertEquals(expected, node.replay("s"));
    assertEquals(batchesBefore + 2, node.handle.writer().stats().batches(), "the hold's batch, then one for all three");
  }

  /**
   * A refused persist is rolled back alone: its neighbours in the batch (another stream, and a later
   * persist of its own stream that continues the stored log) land, and nothing of it is visible to them.
   */
  @Test
  void aRefusedPersistInABatchLeavesNoTraceForTheRest() throws Exception {
    await(persist(node.state("s", 2, E1, 0), LogChange.append(oneEventEach("s", "a", 1, 1, 2, E1)), null));
    var release = node.holdWriter();
    // Refused late: it cuts entry 2, stages a replacement whose payload is a write of another stream,
    // and materializes entry 1 before the replacement shows it; all of that must be undone, in the
    // WriteBatch and in what later persists of the batch read.
    var refused = persist(node.state("s", 2, E2, 2), LogChange.replace(1, List.of(entry(2, E2, events("t", "bad", 1, 1)))),
        new Effect.Committed(0, 2));
    var other = persist(node.state("t", 1, E1, 1), LogChange.append(oneEventEach("t", "a", 1, 1, 1, E1)), new Effect.Committed(0, 1));
    var continues = persist(node.state("s", 3, E1, 3), LogChange.append(oneEventEach("s", "b", 3, 3, 1, E1)),
        new Effect.Committed(0, 3));
    var wrongStream = persist(node.state("u", 1, E1, 1), LogChange.append(List.of(entry(1, E1, events("s", "x", 9, 9)))),
        new Effect.Committed(0, 1));
    release.countDown();
    await(other);
    await(continues);
    assertInstanceOf(IllegalStateException.class, failure(refused));
    assertInstanceOf(IllegalStateException.class, failure(wrongStream));
    List<String> expected = new ArrayList<>(texts("s", "a", 1, 2));
    expected.addAll(texts("s", "b", 3, 3));
    assertEquals(expected, node.replay("s"));
    assertEquals(texts("t", "a", 1, 1), node.replay("t"));
    assertNull(node.store.meta("u"));
    assertEquals(List.of(), node.replay("u"));
  }

  @Test
  void aPayloadThatIsNotAStreamWriteFailsItsPersistAndStoresNothing() throws Exception {
    Entry garbage = new Entry(1, E1, Payload.utf8("not a stream write"), null);
    assertTrue(failure(persist(node.state("s", 1, E1, 1), LogChange.append(List.of(garbage)), new Effect.Committed(0, 1)))
        instanceof RuntimeException);
    assertNull(node.store.meta("s"));
  }

  /**
   * The journal's own continuity guard still holds under materialization: a replicated stream whose
   * readable state already has events (e.g. written by the local journal) refuses an entry that would
   * overwrite them, and the whole persist with it.
   */
  @Test
  void materializationNeverOverwritesEventsTheReadableStateAlreadyHolds() throws Exception {
    await(node.journal().write(List.of(events("s", "local", 1, 2))));
    Throwable t = failure(persist(node.state("s", 1, E1, 1), LogChange.append(List.of(entry(1, E1, events("s", "a", 1, 1)))),
        new Effect.Committed(0, 1)));
    assertTrue(t.getMessage().contains("refusing to overwrite"), t.getMessage());
    assertEquals(texts("s", "local", 1, 2), node.replay("s"));
    assertNull(node.store.meta("s"), "the entry and the meta went with the refused payload");
  }

  @Test
  void aFullDiskRefusesPersistsLikeEveryOtherWriteAndTheGateThenFailsThemAtOnce() throws Exception {
    node.close();
    AtomicLong free = new AtomicLong(1L << 40);
    var settings = TestStorage.settings(TestStorage.newDir("replica-full")).withMinFreeSpace(64L << 20);
    node = new ReplicaStoreFixture("replica-full", settings, free::get);
    await(persist(node.state("s", 1, E1, 0), LogChange.append(oneEventEach("s", "a", 1, 1, 1, E1)), null));
    free.set(1L << 20);
    assertInstanceOf(StorageFullException.class,
        failure(persist(node.state("s", 2, E1, 0), LogChange.append(oneEventEach("s", "a", 2, 2, 1, E1)), null)));
    CompletionStage<Void> gated = persist(node.state("s", 2, E1, 0), LogChange.append(oneEventEach("s", "a", 2, 2, 1, E1)), null);
    assertTrue(gated.toCompletableFuture().isCompletedExceptionally(), "failed at submission, never queued");
    assertEquals(1, node.store.meta("s").tailSeq());
  }

  @Test
  void aStreamsReplicaKeysNeverReachAnotherStreamsReadableState() throws Exception {
    await(persist(node.state("a", 1, E1, 1), LogChange.append(oneEventEach("a", "x", 1, 1, 1, E1)), new Effect.Committed(0, 1)));
    await(persist(node.state("a:b", 1, E1, 1), LogChange.append(oneEventEach("a:b", "y", 1, 1, 1, E1)), new Effect.Committed(0, 1)));
    assertEquals(texts("a", "x", 1, 1), node.replay("a"));
    assertEquals(texts("a:b", "y", 1, 1), node.replay("a:b"));
    assertEquals(1, node.store.log("a").entries(0, 10, Long.MAX_VALUE).size());
    assertEquals(StreamKey.of("a"), RocksDbReplicaStore.key("a"));
  }
}
