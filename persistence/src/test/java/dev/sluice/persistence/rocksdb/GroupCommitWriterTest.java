package dev.sluice.persistence.rocksdb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import dev.sluice.persistence.store.Column;
import dev.sluice.persistence.store.KeyLayout;
import dev.sluice.persistence.store.MetaRecord;
import dev.sluice.persistence.store.StreamKey;
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
 * The group-commit writer on its own. Batching is made deterministic without timing: a mutation
 * that blocks on a latch holds the writer thread inside a batch while the test queues more work,
 * so everything queued meanwhile must land in exactly the next batch.
 */
class GroupCommitWriterTest {
  private static final long TIMEOUT_S = 10;
  private Path dir;
  private RocksDbHandle handle;

  @BeforeEach
  void open() {
    dir = TestStorage.newDir("group-commit");
    handle = RocksDbHandle.open(settings(dir));
  }

  @AfterEach
  void close() {
    handle.close();
    TestStorage.deleteRecursively(dir);
  }

  private static RocksDbSettings settings(Path dir) {
    return RocksDbSettings.fromConfig(ConfigFactory.defaultReference()
        .withValue("sluice.persistence.rocksdb.dir", ConfigValueFactory.fromAnyRef(dir.toString())));
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

  /** Occupies the writer thread until {@link #release()}; returns once it is inside its batch. */
  private final class Blocker {
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch released = new CountDownLatch(1);
    final CompletableFuture<Void> done;

    Blocker() throws InterruptedException {
      done = handle.writer().submit(ctx -> {
        entered.countDown();
        released.await(TIMEOUT_S, TimeUnit.SECONDS);
      }, 0);
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
      long n = i;
      writes.add(handle.writer().submit(ctx -> ctx.put(Column.DATA, key(n), value(n)), 16));
    }
    assertFalse(writes.get(0).isDone(), "nothing is acknowledged before its batch is written");
    blocker.release();
    CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).get(TIMEOUT_S, TimeUnit.SECONDS);

    assertEquals(new GroupCommitWriter.Stats(2, 101, 0), handle.writer().stats());
    for (long i = 0; i < 100; i++) {
      assertArrayEquals(value(i), get(handle, key(i)));
    }
  }

  @Test
  void aFailingRequestFailsAloneAndLeavesNoTrace() throws Exception {
    StreamKey stream = new StreamKey(0, "s");
    Blocker blocker = new Blocker();
    var before = handle.writer().submit(ctx -> ctx.put(Column.DATA, key(1), value(1)), 16);
    var boom = new IllegalStateException("boom");
    var failing = handle.writer().submit(ctx -> {
      ctx.put(Column.DATA, key(2), value(2));
      ctx.putMeta(stream, ctx.meta(stream).appended(7, 0));
      throw boom;
    }, 16);
    var after = handle.writer().submit(ctx -> ctx.put(Column.DATA, key(3), value(3)), 16);
    blocker.release();

    assertNull(before.get(TIMEOUT_S, TimeUnit.SECONDS));
    assertNull(after.get(TIMEOUT_S, TimeUnit.SECONDS));
    var e = assertThrows(ExecutionException.class, () -> failing.get(TIMEOUT_S, TimeUnit.SECONDS));
    assertSame(boom, e.getCause());
    assertEquals(new GroupCommitWriter.Stats(2, 4, 0), handle.writer().stats()); // shared one batch
    assertArrayEquals(value(1), get(handle, key(1)));
    assertNull(get(handle, key(2)), "the failed request's put was rolled back");
    assertArrayEquals(value(3), get(handle, key(3)));
    byte[] metaKey = KeyLayout.streamKey(0, "s");
    assertNull(handle.read(db -> db.get(handle.column(Column.META), metaKey)), "its meta change was dropped");
  }

  @Test
  void metaBuildsOnTheLastCommittedBatchAndNeverOnAFailedRequest() throws Exception {
    StreamKey stream = new StreamKey(0, "cached");
    // Separate batches: each one must see the previous batch's committed meta (from the cache).
    for (long seq = 1; seq <= 3; seq++) {
      long s = seq;
      handle.writer().submit(ctx -> {
        assertEquals(s - 1, ctx.meta(stream).tailSeq());
        ctx.putMeta(stream, ctx.meta(stream).appended(s, 0));
      }, 16).get(TIMEOUT_S, TimeUnit.SECONDS);
    }
    var failing = handle.writer().submit(ctx -> {
      ctx.putMeta(stream, ctx.meta(stream).appended(99, 0));
      throw new IllegalStateException("boom");
    }, 16);
    assertThrows(ExecutionException.class, () -> failing.get(TIMEOUT_S, TimeUnit.SECONDS));
    var next = new long[1];
    handle.writer().submit(ctx -> next[0] = ctx.meta(stream).tailSeq(), 0).get(TIMEOUT_S, TimeUnit.SECONDS);
    assertEquals(3, next[0], "the failed request's meta must not be seen by later batches");
    byte[] metaKey = KeyLayout.streamKey(0, "cached");
    assertEquals(3, MetaRecord.decode(metaKey, handle.read(db -> db.get(handle.column(Column.META), metaKey))).tailSeq());
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
    StreamKey stream = new StreamKey(0, "ordered");
    Blocker blocker = new Blocker();
    List<CompletableFuture<Void>> writes = new ArrayList<>();
    for (long seq = 1; seq <= 500; seq++) {
      long s = seq;
      writes.add(handle.writer().submit(ctx -> {
        MetaRecord m = ctx.meta(stream);
        assertEquals(s - 1, m.tailSeq(), "each request builds on the previous tail");
        ctx.putMeta(stream, m.appended(s, 0));
        ctx.put(Column.DATA, key(0), value(s));
      }, 16));
    }
    blocker.release();
    CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).get(TIMEOUT_S, TimeUnit.SECONDS);
    assertArrayEquals(value(500), get(handle, key(0)));
    byte[] metaKey = KeyLayout.streamKey(0, "ordered");
    MetaRecord meta = MetaRecord.decode(metaKey, handle.read(db -> db.get(handle.column(Column.META), metaKey)));
    assertEquals(new MetaRecord(0, 500, 0, 500, 0, 500), meta);
  }

  @Test
  void anIsolatedRequestSeesEveryEarlierWriteAsCommitted() throws Exception {
    Blocker blocker = new Blocker();
    var write = handle.writer().submit(ctx -> ctx.put(Column.DATA, key(5), value(5)), 16);
    List<Long> seen = new ArrayList<>();
    var isolated = handle.writer().submitIsolated(ctx -> {
      ctx.scanCommitted(Column.DATA, KeyLayout.dataKey(1, 0), KeyLayout.dataStoreEnd(1), (key, value) -> {
        seen.add(KeyLayout.positionOf(key));
        return true;
      });
    });
    blocker.release();
    write.get(TIMEOUT_S, TimeUnit.SECONDS);
    isolated.get(TIMEOUT_S, TimeUnit.SECONDS);
    assertEquals(List.of(5L), seen);
    assertEquals(3, handle.writer().stats().batches(), "the isolated request split the batch");
  }

  @Test
  void closeCommitsQueuedWritesAndLaterSubmissionsFail() throws Exception {
    Blocker blocker = new Blocker();
    var queued = handle.writer().submit(ctx -> ctx.put(Column.DATA, key(9), value(9)), 16);
    Thread closer = new Thread(handle::close);
    closer.start();
    blocker.release();
    closer.join(TimeUnit.SECONDS.toMillis(TIMEOUT_S));
    assertFalse(closer.isAlive());
    assertNull(queued.get(TIMEOUT_S, TimeUnit.SECONDS));

    var late = handle.writer().submit(ctx -> ctx.put(Column.DATA, key(10), value(10)), 16);
    var e = assertThrows(ExecutionException.class, () -> late.get(TIMEOUT_S, TimeUnit.SECONDS));
    assertTrue(e.getCause() instanceof RocksDbStorageException);

    try (RocksDbHandle reopened = RocksDbHandle.open(settings(dir))) {
      assertArrayEquals(value(9), get(reopened, key(9)));
      assertNull(get(reopened, key(10)));
    }
  }
}
