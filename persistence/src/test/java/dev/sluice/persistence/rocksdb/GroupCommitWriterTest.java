package dev.sluice.persistence.rocksdb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.persistence.store.Column;
import dev.sluice.persistence.store.CorruptRecordException;
import dev.sluice.persistence.store.KeyLayout;
import dev.sluice.persistence.store.MetaRecord;
import dev.sluice.persistence.store.StreamKey;
import dev.sluice.persistence.store.StreamWrite;
import dev.sluice.persistence.store.WriteOp;
import dev.sluice.persistence.support.TestStorage;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The group-commit writer on its own. Batching is made deterministic without timing: an isolated
 * write that blocks on a latch holds the writer thread inside a batch while the test queues more
 * work, so everything queued meanwhile must land in exactly the next batch.
 */
class GroupCommitWriterTest {
  private static final long TIMEOUT_S = 10;
  private Path dir;
  private RocksDbHandle handle;

  @BeforeEach
  void open() {
    dir = TestStorage.newDir("group-commit");
    handle = RocksDbHandle.open(TestStorage.settings(dir));
  }

  @AfterEach
  void close() {
    handle.close();
    TestStorage.deleteRecursively(dir);
  }

  private static byte[] key(long i) {
    return KeyLayout.dataKey(1, i);
  }

  private static byte[] value(long i) {
    return ByteBuffer.allocate(8).putLong(i).array();
  }

  private byte[] get(RocksDbHandle h, byte[] key) {
    return h.read(db -> db.get(h.column(Column.DATA), key));
  }

  private MetaRecord storedMeta(StreamKey stream) {
    byte[] metaKey = KeyLayout.streamKey(stream.placementGroup(), stream.persistenceId());
    byte[] value = handle.read(db -> db.get(handle.column(Column.META), metaKey));
    return value == null ? null : MetaRecord.decode(metaKey, value);
  }

  private static StreamWrite put(long i) {
    return new StreamWrite(StreamKey.of("data"), WriteOp.put(Column.DATA, key(i), value(i)));
  }

  private static StreamWrite appended(StreamKey stream, long lastSeq) {
    return new StreamWrite(stream, new WriteOp.MetaAppended(lastSeq, lastSeq, 0));
  }

  private CompletableFuture<Void> submit(StreamWrite... writes) {
    return handle.writer().submit(List.of(writes));
  }

  /** Stores a {@code meta} value that fails its checksum, as bit rot would. */
  private void corruptMeta(StreamKey stream) throws Exception {
    byte[] metaKey = KeyLayout.streamKey(stream.placementGroup(), stream.persistenceId());
    try (var batch = new org.rocksdb.WriteBatch(); var options = new org.rocksdb.WriteOptions()) {
      batch.put(handle.column(Column.META), metaKey, new byte[] {1, 2, 3, 4, 5, 6});
      handle.db().write(options, batch);
    }
  }

  /** Occupies the writer thread until {@link #release()}; returns once it is inside its batch. */
  private final class Blocker {
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch released = new CountDownLatch(1);
    final CompletableFuture<Void> done;

    Blocker() throws InterruptedException {
      done = handle.writer().submitIsolated(committed -> {
        entered.countDown();
        released.await(TIMEOUT_S, TimeUnit.SECONDS);
        return List.of();
      });
      assertTrue(entered.await(TIMEOUT_S, TimeUnit.SECONDS));
    }

    void release() {
      released.countDown();
    }
  }

  @Test
  void requestsQueuedDuringACommitShareTheNextBatch() throws Exception {
    Blocker blocker = new Blocker();
    List<CompletableFuture<Void>> writes = new ArrayList<>();
    for (long i = 0; i < 100; i++) {
      writes.add(submit(put(i)));
    }
    assertFalse(writes.get(0).isDone(), "nothing is acknowledged before its batch is written");
    blocker.release();
    CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).get(TIMEOUT_S, TimeUnit.SECONDS);

    assertEquals(new GroupCommitStats(2, 101, 0), handle.writer().stats());
    for (long i = 0; i < 100; i++) {
      assertArrayEquals(value(i), get(handle, key(i)));
    }
  }

  @Test
  void aRequestOnACorruptMetaRecordFailsAloneAndLeavesNoTrace() throws Exception {
    StreamKey healthy = StreamKey.of("healthy");
    StreamKey rotten = StreamKey.of("rotten");
    corruptMeta(rotten);
    Blocker blocker = new Blocker();
    var before = submit(put(1));
    // One request, two streams: the healthy stream's changes must go down with the rotten one's.
    var failing = submit(put(2), appended(healthy, 7), appended(rotten, 1));
    var after = submit(put(3));
    blocker.release();

    assertNull(before.get(TIMEOUT_S, TimeUnit.SECONDS));
    assertNull(after.get(TIMEOUT_S, TimeUnit.SECONDS));
    var e = assertThrows(ExecutionException.class, () -> failing.get(TIMEOUT_S, TimeUnit.SECONDS));
    assertInstanceOf(CorruptRecordException.class, e.getCause());
    assertEquals(new GroupCommitStats(2, 4, 0), handle.writer().stats()); // shared one batch
    assertArrayEquals(value(1), get(handle, key(1)));
    assertNull(get(handle, key(2)), "the failed request's put was rolled back");
    assertArrayEquals(value(3), get(handle, key(3)));
    assertNull(storedMeta(healthy), "its meta change was dropped");
  }

  @Test
  void metaBuildsOnTheLastCommittedBatchAndNeverOnAFailedRequest() throws Exception {
    StreamKey stream = StreamKey.of("cached");
    StreamKey rotten = StreamKey.of("rotten");
    corruptMeta(rotten);
    // Separate batches: each one must see the previous batch's committed meta (from the cache).
    for (long seq = 1; seq <= 3; seq++) {
      submit(appended(stream, seq), new StreamWrite(stream, new WriteOp.MetaDeletedTo(seq - 1)))
          .get(TIMEOUT_S, TimeUnit.SECONDS);
      assertEquals(new MetaRecord(0, seq, 0, seq, seq - 1, seq), storedMeta(stream));
    }
    var failing = submit(appended(stream, 99), appended(rotten, 1));
    assertThrows(ExecutionException.class, () -> failing.get(TIMEOUT_S, TimeUnit.SECONDS));
    submit(new StreamWrite(stream, new WriteOp.MetaDeletedTo(Long.MAX_VALUE))).get(TIMEOUT_S, TimeUnit.SECONDS);
    assertEquals(new MetaRecord(0, 3, 0, 3, 3, 3), storedMeta(stream),
        "the failed request's tail of 99 must not be seen by later batches");
  }

  @Test
  void metaCacheEvictsTheLeastRecentlyUsedStream() {
    MetaCache cache = new MetaCache(2);
    StreamKey a = new StreamKey(0, "a");
    StreamKey b = new StreamKey(0, "b");
    StreamKey c = new StreamKey(0, "c");
    cache.put(a, MetaRecord.EMPTY.appended(1, 0));
    cache.put(b, MetaRecord.EMPTY.appended(2, 0));
    assertEquals(1, cache.get(a).tailSeq()); // a is now more recent than b
    cache.put(c, MetaRecord.EMPTY.appended(3, 0));
    assertEquals(2, cache.size());
    assertNull(cache.get(b));
    assertEquals(1, cache.get(a).tailSeq());
    cache.clear();
    assertNull(cache.get(a));
  }

  @Test
  void laterRequestsInABatchSeeEarlierOnesMetaAndWritesOfOneKeyKeepSubmissionOrder() throws Exception {
    StreamKey stream = StreamKey.of("ordered");
    Blocker blocker = new Blocker();
    List<CompletableFuture<Void>> writes = new ArrayList<>();
    for (long seq = 1; seq <= 500; seq++) {
      // Each delete can only move deletedTo to seq - 1 if it sees the tail the previous request
      // staged in this same batch: deletes never pass the highest sequence number.
      writes.add(submit(new StreamWrite(stream, new WriteOp.MetaDeletedTo(seq - 1),
          new WriteOp.MetaAppended(seq, seq, 0), WriteOp.put(Column.DATA, key(0), value(seq)))));
    }
    blocker.release();
    CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).get(TIMEOUT_S, TimeUnit.SECONDS);
    assertArrayEquals(value(500), get(handle, key(0)));
    assertEquals(new MetaRecord(0, 500, 0, 500, 499, 500), storedMeta(stream));
    assertEquals(2, handle.writer().stats().batches(), "all 500 shared one batch");
  }

  @Test
  void anIsolatedRequestSeesEveryEarlierWriteAsCommitted() throws Exception {
    Blocker blocker = new Blocker();
    var write = submit(put(5));
    List<Long> seen = new ArrayList<>();
    var isolated = handle.writer().submitIsolated(committed -> {
      committed.scan(Column.DATA, KeyLayout.dataKey(1, 0), KeyLayout.dataStoreEnd(1), (key, value) -> {
        seen.add(KeyLayout.positionOf(key));
        return true;
      });
      return List.of(new StreamWrite(StreamKey.of("data"), WriteOp.delete(Column.DATA, key(5))));
    });
    blocker.release();
    write.get(TIMEOUT_S, TimeUnit.SECONDS);
    isolated.get(TIMEOUT_S, TimeUnit.SECONDS);
    assertEquals(List.of(5L), seen);
    assertNull(get(handle, key(5)), "the isolated request's computed delete was applied");
    assertEquals(3, handle.writer().stats().batches(), "the isolated request split the batch");
  }

  @Test
  void closeCommitsQueuedWritesAndLaterSubmissionsFail() throws Exception {
    Blocker blocker = new Blocker();
    var queued = submit(put(9));
    Thread closer = new Thread(handle::close);
    closer.start();
    blocker.release();
    closer.join(TimeUnit.SECONDS.toMillis(TIMEOUT_S));
    assertFalse(closer.isAlive());
    assertNull(queued.get(TIMEOUT_S, TimeUnit.SECONDS));

    var late = submit(put(10));
    var e = assertThrows(ExecutionException.class, () -> late.get(TIMEOUT_S, TimeUnit.SECONDS));
    assertTrue(e.getCause() instanceof RocksDbStorageException);

    try (RocksDbHandle reopened = RocksDbHandle.open(TestStorage.settings(dir))) {
      assertArrayEquals(value(9), get(reopened, key(9)));
      assertNull(get(reopened, key(10)));
    }
  }

  @Test
  void anUnsyncedBatchCompletesReadableButAcknowledgesNothingUntilTheNextSync() throws Exception {
    long before = handle.acknowledgedUpTo();
    assertTrue(before >= 0, "sync is on in the default settings");
    handle.writer().submitStaged(batch -> batch.put(Column.DEFAULT, key(21), value(21)), 16, false).get(TIMEOUT_S, TimeUnit.SECONDS);
    assertArrayEquals(value(21), handle.read(db -> db.get(handle.column(Column.DEFAULT), key(21))), "readable once done");
    assertEquals(before, handle.acknowledgedUpTo(), "no fsync covered it, so the WAL-damage mark must not claim it");

    handle.writer().barrier().get(TIMEOUT_S, TimeUnit.SECONDS);
    assertTrue(handle.acknowledgedUpTo() > before, "a barrier promises durability: it synced the WAL behind the unsynced write");

    long synced = handle.acknowledgedUpTo();
    handle.writer().submitStaged(batch -> batch.put(Column.DEFAULT, key(22), value(22)), 16, false).get(TIMEOUT_S, TimeUnit.SECONDS);
    submit(put(23)).get(TIMEOUT_S, TimeUnit.SECONDS);
    assertTrue(handle.acknowledgedUpTo() > synced, "the next synced batch covers the unsynced one before it");
  }
}
