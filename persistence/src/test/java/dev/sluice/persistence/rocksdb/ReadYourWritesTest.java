package dev.sluice.persistence.rocksdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.Bytes;
import dev.sluice.persistence.store.Column;
import dev.sluice.persistence.store.KeyLayout;
import dev.sluice.persistence.store.LogRecord;
import dev.sluice.persistence.store.SerializedBlob;
import dev.sluice.persistence.store.SnapshotRecord;
import dev.sluice.persistence.store.StreamKey;
import dev.sluice.persistence.store.StreamWrite;
import dev.sluice.persistence.store.WriteOp;
import dev.sluice.persistence.support.TestStorage;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.persistence.SnapshotSelectionCriteria;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Recovery reads (highest sequence number, latest snapshot) wait for the writer only while their
 * own stream has writes queued: a new stream's recovery must not queue behind other streams'
 * fsyncs (it did, twice per entity, which capped stream creation), and a stream with a write in
 * flight must still see it. The writer is held inside a batch by an isolated write of another
 * stream that blocks on a latch, so "waits" and "does not wait" are decided without timing.
 */
class ReadYourWritesTest {
  private static final long TIMEOUT_S = 10;
  private static final StreamKey BUSY = StreamKey.of("busy");
  private static final StreamKey WRITTEN = StreamKey.of("written");
  private static final StreamKey FRESH = StreamKey.of("fresh");
  private Path dir;
  private RocksDbHandle handle;
  private ExecutorService io;
  private LocalJournalStore journal;
  private LocalSnapshotStorage snapshots;

  @BeforeEach
  void open() {
    dir = TestStorage.newDir("read-your-writes");
    handle = RocksDbHandle.open(TestStorage.settings(dir));
    io = Executors.newFixedThreadPool(2);
    journal = new LocalJournalStore(handle, io);
    snapshots = new LocalSnapshotStorage(handle, io);
  }

  @AfterEach
  void close() {
    io.shutdownNow();
    handle.close();
    TestStorage.deleteRecursively(dir);
  }

  /** Holds the writer thread inside a batch of stream {@link #BUSY} until released. */
  private CountDownLatch holdWriter() throws InterruptedException {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    handle.writer().submitIsolated(BUSY, committed -> {
      entered.countDown();
      release.await(TIMEOUT_S, TimeUnit.SECONDS);
      return List.of();
    });
    assertTrue(entered.await(TIMEOUT_S, TimeUnit.SECONDS));
    return release;
  }

  private static StreamWrite event(StreamKey stream, long seq) {
    byte[] key = KeyLayout.seqKey(stream.placementGroup(), stream.persistenceId(), seq);
    SerializedBlob blob = new SerializedBlob(0, "", Bytes.utf8("e" + seq));
    return new StreamWrite(stream, List.of(
        WriteOp.put(Column.LOG, key, new LogRecord(0, "writer", blob).encode(key)), new WriteOp.MetaAppended(seq, seq, 0)));
  }

  private static SnapshotRecord snapshot() {
    return new SnapshotRecord(0, 1, new SerializedBlob(0, "", Bytes.utf8("state")), Optional.empty());
  }

  @Test
  void aStreamWithoutQueuedWritesIsReadWhileTheWriterIsBusyWithOthers() throws Exception {
    journal.write(List.of(event(WRITTEN, 1))).toCompletableFuture().get(TIMEOUT_S, TimeUnit.SECONDS);
    CountDownLatch release = holdWriter();
    try {
      assertEquals(0L, journal.highestSequenceNr(FRESH).toCompletableFuture().get(TIMEOUT_S, TimeUnit.SECONDS));
      assertEquals(1L, journal.highestSequenceNr(WRITTEN).toCompletableFuture().get(TIMEOUT_S, TimeUnit.SECONDS));
      assertEquals(Optional.empty(),
          snapshots.loadLatest(FRESH, SnapshotSelectionCriteria.latest()).toCompletableFuture().get(TIMEOUT_S, TimeUnit.SECONDS));
    } finally {
      release.countDown();
    }
  }

  @Test
  void aStreamWithQueuedWritesIsReadOnlyOnceTheyAreCommitted() throws Exception {
    CountDownLatch release = holdWriter();
    CompletableFuture<Long> highest;
    CompletableFuture<Optional<dev.sluice.persistence.store.SnapshotStorage.StoredSnapshot>> latest;
    try {
      journal.write(List.of(event(WRITTEN, 1)));
      snapshots.save(WRITTEN, 1, snapshot());
      highest = journal.highestSequenceNr(WRITTEN).toCompletableFuture();
      latest = snapshots.loadLatest(WRITTEN, SnapshotSelectionCriteria.latest()).toCompletableFuture();
      // Their writes sit behind the held batch: the reads must not have run yet.
      assertFalse(highest.isDone());
      assertFalse(latest.isDone());
    } finally {
      release.countDown();
    }
    assertEquals(1L, highest.get(TIMEOUT_S, TimeUnit.SECONDS));
    assertEquals(1L, latest.get(TIMEOUT_S, TimeUnit.SECONDS).orElseThrow().seqNr());
    assertEquals(0, pendingStreamsAfterSettling());
  }

  @Test
  void aStreamWithoutQueuedWritesIsReadOnTheCallingThread() throws Exception {
    journal.write(List.of(event(WRITTEN, 1))).toCompletableFuture().get(TIMEOUT_S, TimeUnit.SECONDS);
    snapshots.save(WRITTEN, 1, snapshot()).toCompletableFuture().get(TIMEOUT_S, TimeUnit.SECONDS);
    // An executor that fails every task: the reads must not need one.
    java.util.concurrent.Executor none = task -> {
      throw new java.util.concurrent.RejectedExecutionException("a quiet stream's recovery read went to the IO executor");
    };
    var inlineJournal = new LocalJournalStore(handle, none);
    var inlineSnapshots = new LocalSnapshotStorage(handle, none);
    for (StreamKey s : List.of(WRITTEN, FRESH)) {
      var highest = inlineJournal.highestSequenceNr(s).toCompletableFuture();
      var latest = inlineSnapshots.loadLatest(s, SnapshotSelectionCriteria.latest()).toCompletableFuture();
      assertTrue(highest.isDone() && latest.isDone(), "read on the calling thread: " + s);
      assertEquals(s == WRITTEN ? 1L : 0L, highest.get());
      assertEquals(s == WRITTEN, latest.get().isPresent());
    }
  }

  /** Entries left in the writer's pending set once everything settled (a barrier makes sure it did). */
  private int pendingStreamsAfterSettling() throws Exception {
    handle.writer().barrier().get(TIMEOUT_S, TimeUnit.SECONDS);
    return handle.writer().pendingStreams();
  }
}
