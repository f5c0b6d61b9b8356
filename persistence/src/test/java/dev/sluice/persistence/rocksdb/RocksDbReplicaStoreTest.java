package dev.sluice.persistence.rocksdb;

import static dev.sluice.persistence.rocksdb.ReplicaStoreFixture.await;
import static dev.sluice.persistence.support.ReplicaFixtures.entry;
import static dev.sluice.persistence.support.ReplicaFixtures.events;
import static dev.sluice.persistence.support.ReplicaFixtures.oneEventEach;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.persistence.support.TestStorage;
import dev.sluice.replication.Effect;
import dev.sluice.replication.Entry;
import dev.sluice.replication.Epoch;
import dev.sluice.replication.InMemoryReplicaLog;
import dev.sluice.replication.LogChange;
import dev.sluice.replication.Payload;
import dev.sluice.replication.PendingReplica;
import dev.sluice.replication.ProducerStamp;
import dev.sluice.replication.ReplicaLog;
import dev.sluice.replication.ReplicaState;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The replica store's meta and log on real RocksDB: round trips through a reopen, truncation and
 * append as one batch, the checks that refuse a persist that does not continue the stored log, the
 * log view's paging against the in-memory reference, and the driver's overlay over it.
 */
class RocksDbReplicaStoreTest {
  private static final long E1 = Epoch.of(1, 0);
  private static final long E2 = Epoch.of(2, 1);
  private ReplicaStoreFixture node;

  @BeforeEach
  void open() {
    node = new ReplicaStoreFixture("replica-store");
  }

  @AfterEach
  void close() {
    node.close();
  }

  private CompletionStage<Void> persist(ReplicaState meta, LogChange change, Effect.Committed materialize) {
    return node.store.persist(meta.stream(), meta, change, materialize);
  }

  private static List<Entry> all(ReplicaLog log) {
    return log.entries(0, Integer.MAX_VALUE, Long.MAX_VALUE);
  }

  private static Throwable failure(CompletionStage<Void> stage) {
    ExecutionException e = assertThrows(ExecutionException.class, () -> stage.toCompletableFuture().get(10, TimeUnit.SECONDS));
    return e.getCause();
  }

  @Test
  void aStreamNeverStoredHasNoMetaAndAnEmptyLog() {
    assertNull(node.store.meta("never"));
    assertEquals(0, node.store.log("never").tailSeq());
    assertEquals(Epoch.NONE, node.store.log("never").epochAt(0));
    assertEquals(List.of(), all(node.store.log("never")));
    assertEquals(0, node.store.materializedUpTo("never"));
  }

  @Test
  void metaAndEntriesSurviveAReopenExactly() throws Exception {
    ReplicaState limbo = new ReplicaState("s", 0, node.disk(), E2, 3, E1, 1, true, 0b110, 9, E2);
    List<Entry> entries = List.of(
        entry(1, E1, events("s", "a", 1, 2)),
        new Entry(2, E1, new Payload(events("s", "a", 3, 3).encode()), new ProducerStamp("producer-é", 4, 17)),
        new Entry(3, E1, new Payload(new byte[70_000]), null));
    await(persist(limbo, LogChange.append(entries), null));
    node.reopen();
    assertEquals(limbo, node.store.meta("s"));
    assertEquals(entries, all(node.store.log("s")));
    assertEquals(3, node.store.log("s").tailSeq());
    assertEquals(E1, node.store.log("s").epochAt(3));
    assertThrows(IllegalArgumentException.class, () -> node.store.log("s").epochAt(4));
    assertNull(node.store.meta("s2"), "streams do not share keys");
  }

  /**
   * Recovery replaces an uncommitted suffix: the range delete, the new entries and the new meta go
   * in one batch. A crash between two persists (a close without the second) leaves the first
   * exactly; after the second, the old suffix is gone and nothing else is.
   */
  @Test
  void aTruncationAndItsAppendLandTogetherAndACrashBetweenPersistsLeavesTheEarlierOne() throws Exception {
    List<Entry> old = oneEventEach("s", "old", 1, 1, 5, E1);
    await(persist(node.state("s", 5, E1, 1), LogChange.append(old), null));
    node.reopen(); // crash before the recovery's persist
    assertEquals(old, all(node.store.log("s")));
    assertEquals(5, node.store.meta("s").tailSeq());

    List<Entry> replacement = oneEventEach("s", "new", 3, 3, 2, E2);
    await(persist(node.state("s", 4, E2, 1), LogChange.replace(2, replacement), null));
    node.reopen();
    List<Entry> expected = new ArrayList<>(old.subList(0, 2));
    expected.addAll(replacement);
    assertEquals(expected, all(node.store.log("s")));
    assertEquals(node.state("s", 4, E2, 1), node.store.meta("s"));
    assertThrows(IllegalArgumentException.class, () -> node.store.log("s").epochAt(5), "the old 5th entry is gone");
  }

  @Test
  void aPersistThatDoesNotContinueTheStoredLogIsRefusedAndStoresNothing() throws Exception {
    await(persist(node.state("s", 3, E1, 0), LogChange.append(oneEventEach("s", "a", 1, 1, 3, E1)), null));
    ReplicaState before = node.store.meta("s");
    List<Entry> beforeLog = all(node.store.log("s"));

    Throwable gap = failure(persist(node.state("s", 5, E1, 0), LogChange.append(oneEventEach("s", "a", 5, 5, 1, E1)), null));
    assertInstanceOf(IllegalStateException.class, gap);
    Throwable wrongTail = failure(persist(node.state("s", 9, E1, 0), LogChange.append(oneEventEach("s", "a", 4, 4, 1, E1)), null));
    assertInstanceOf(IllegalStateException.class, wrongTail);
    assertEquals(before, node.store.meta("s"));
    assertEquals(beforeLog, all(node.store.log("s")));
    await(persist(node.state("s", 4, E1, 0), LogChange.append(oneEventEach("s", "a", 4, 4, 1, E1)), null));
    assertEquals(4, node.store.log("s").tailSeq(), "a persist that continues is fine afterwards");
  }

  @Test
  void lacNeverGoesDownAndMaterializedEntriesAreNeverCut() throws Exception {
    await(persist(node.state("s", 3, E1, 2), LogChange.append(oneEventEach("s", "a", 1, 1, 3, E1)), new Effect.Committed(0, 2)));
    assertInstanceOf(IllegalStateException.class, failure(persist(node.state("s", 3, E1, 1), LogChange.NONE, null)));
    assertInstanceOf(IllegalStateException.class,
        failure(persist(node.state("s", 2, E2, 1), LogChange.replace(1, oneEventEach("s", "b", 2, 2, 1, E2)), null)));
    assertEquals(node.state("s", 3, E1, 2), node.store.meta("s"));
    assertEquals(oneEventEach("s", "a", 1, 1, 3, E1), all(node.store.log("s")));
  }

  @Test
  void argumentsThatCanNeverBeRightAreRejectedBeforeAnythingIsQueued() {
    ReplicaState s = node.state("s", 1, E1, 0);
    LogChange one = LogChange.append(oneEventEach("s", "a", 1, 1, 1, E1));
    assertThrows(IllegalArgumentException.class, () -> persist(s, one, new Effect.Committed(0, 1)), "above lac");
    assertThrows(IllegalArgumentException.class, () -> node.store.persist("other", s, one, null), "other stream");
    ReplicaState otherReplica = new ReplicaState("s", 1, node.disk(), 0, 1, E1, 0, false, 0, 0, 0);
    assertThrows(IllegalArgumentException.class, () -> persist(otherReplica, one, null), "other replica");
    ReplicaState otherDisk = new ReplicaState("s", 0, "another-disk", 0, 1, E1, 0, false, 0, 0, 0);
    assertThrows(IllegalArgumentException.class, () -> persist(otherDisk, one, null), "other disk");
    assertNull(node.store.meta("s"));
  }

  /** The paging rule ({@link ReplicaLog#page}) over RocksDB equals the in-memory reference's, everywhere. */
  @Test
  void logPagesLikeTheInMemoryReference() throws Exception {
    Random rnd = new Random(3);
    List<Entry> entries = new ArrayList<>();
    for (long seq = 1; seq <= 20; seq++) {
      ProducerStamp p = seq % 4 == 0 ? new ProducerStamp("p" + seq, 1, seq) : null;
      entries.add(new Entry(seq, seq < 10 ? E1 : E2, new Payload(new byte[rnd.nextInt(300)]), p));
    }
    await(persist(node.state("s", 20, E2, 0), LogChange.append(entries), null));
    InMemoryReplicaLog reference = new InMemoryReplicaLog();
    reference.apply(LogChange.append(entries));
    ReplicaLog log = node.store.log("s");
    for (long from = 0; from <= 21; from++) {
      for (int max : new int[] {0, 1, 3, 100}) {
        for (long maxBytes : new long[] {0, 1, 200, 1_000, Long.MAX_VALUE}) {
          assertEquals(reference.entries(from, max, maxBytes), log.entries(from, max, maxBytes),
              "entries(" + from + ", " + max + ", " + maxBytes + ")");
        }
      }
    }
    for (long seq = 0; seq <= 20; seq++) {
      assertEquals(reference.epochAt(seq), log.epochAt(seq));
    }
  }

  /**
   * What a driver does: {@code PendingReplica(meta(s), log(s))}, a step, a persist, and later
   * {@code persisted()}. Whether a persist has landed or not, and whether the driver has heard so or
   * not, the overlay equals the in-memory reference with every step applied; after a reopen the
   * durable log equals it too. Changes are random appends and truncations, several in flight.
   */
  @Test
  void theDriversOverlayEqualsTheReferenceBeforeDuringAndAfterEachPersist() throws Exception {
    Random rnd = new Random(5);
    InMemoryReplicaLog reference = new InMemoryReplicaLog();
    ReplicaState meta = ReplicaState.empty("s", 0, node.disk());
    PendingReplica pending = new PendingReplica(meta, node.store.log("s"));
    int tag = 0;
    for (int round = 0; round < 15; round++) {
      List<CompletionStage<Void>> inFlight = new ArrayList<>();
      var release = node.holdWriter();
      for (int step = 0; step < 1 + rnd.nextInt(4); step++) {
        long tail = reference.tailSeq();
        long epoch = Epoch.of(round + 1, 0);
        LogChange c = tail == 0 || rnd.nextInt(3) > 0
            ? LogChange.append(oneEventEach("s", "t" + tag++, tail + 1, tail + 1, 1 + rnd.nextInt(3), epoch))
            : replaceAfter(rnd.nextInt((int) tail + 1), rnd.nextInt(3), epoch, "t" + tag++);
        reference.apply(c);
        meta = node.state("s", reference.tailSeq(), epoch, 0);
        pending.stepped(meta, c);
        inFlight.add(persist(meta, c, null));
        assertSameLog(reference, pending.log());
      }
      release.countDown();
      for (CompletionStage<Void> landed : inFlight) {
        await(landed); // durable, and the store's view shows it: the driver has not heard yet
        assertSameLog(reference, pending.log());
        pending.persisted();
        assertSameLog(reference, pending.log());
      }
      assertFalse(pending.hasInFlight());
    }
    node.reopen();
    assertSameLog(reference, node.store.log("s"));
    assertEquals(meta, node.store.meta("s"));
  }

  private static LogChange replaceAfter(long keep, int n, long epoch, String tag) {
    return LogChange.replace(keep, oneEventEach("s", tag, keep + 1, keep + 1, n, epoch));
  }

  private static void assertSameLog(InMemoryReplicaLog expected, ReplicaLog actual) {
    assertEquals(expected.tailSeq(), actual.tailSeq());
    assertEquals(expected.all(), actual.entries(0, Integer.MAX_VALUE, Long.MAX_VALUE));
    for (long seq = 0; seq <= expected.tailSeq(); seq++) {
      assertEquals(expected.epochAt(seq), actual.epochAt(seq), "epoch at " + seq);
    }
    for (long from = 0; from <= expected.tailSeq(); from += 3) {
      assertEquals(expected.entries(from, 2, Long.MAX_VALUE), actual.entries(from, 2, Long.MAX_VALUE), "a page from " + from);
    }
  }

  // ------------------------------------------------------------------ membership

  @Test
  void aFoundingDiskIsNotReplacedAndKeepsItsOrdinal() {
    assertEquals(0, node.store.replica());
    assertFalse(node.store.diskReplaced());
    assertEquals(node.handle.diskUuid().toString(), node.store.diskUuid());
    RocksDbStorageException other = assertThrows(RocksDbStorageException.class,
        () -> RocksDbReplicaStore.open(node.handle, 2, false));
    assertTrue(other.getMessage().contains("serves as replica 0"), other.getMessage());
  }

  @Test
  void aDiskThatJoinedAnExistingSetStaysReplacedAcrossRestartsWhateverLaterStartsSay() throws Exception {
    var dir = TestStorage.newDir("replaced-disk");
    try {
      RocksDbStorage storage = RocksDbStorage.open(TestStorage.settings(dir));
      RocksDbReplicaStore replaced = storage.replicaStore(1, true);
      assertTrue(replaced.diskReplaced());
      assertSame(replaced, storage.replicaStore(1, false), "one store per node");
      assertThrows(IllegalArgumentException.class, () -> storage.replicaStore(2, true));
      storage.close();
      RocksDbStorage again = RocksDbStorage.open(TestStorage.settings(dir));
      assertTrue(again.replicaStore(1, false).diskReplaced(), "the record wins over a later start's flag");
      again.close();
    } finally {
      TestStorage.deleteRecursively(dir);
    }
  }

  @Test
  void compactionIsAHookNotYetImplemented() {
    assertThrows(UnsupportedOperationException.class, () -> node.store.dropEntriesUpTo("s", 1));
  }
}
