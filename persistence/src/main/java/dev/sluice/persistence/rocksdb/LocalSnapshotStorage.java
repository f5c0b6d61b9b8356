package dev.sluice.persistence.rocksdb;

import dev.sluice.persistence.store.Column;
import dev.sluice.persistence.store.KeyLayout;
import dev.sluice.persistence.store.SnapshotRecord;
import dev.sluice.persistence.store.SnapshotStorage;
import dev.sluice.persistence.store.StreamKey;
import dev.sluice.persistence.store.StreamWrite;
import dev.sluice.persistence.store.WriteOp;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.persistence.SnapshotSelectionCriteria;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;

/**
 * INTERNAL API. The {@link SnapshotStorage} of one node: snapshots live in the {@code snap} column
 * family keyed {@code [pg][pid][seqNr]}, so "the latest snapshot matching criteria" is a reverse
 * scan of one bounded key range.
 *
 * <p>Saves and deletes go through the group-commit writer (synced like events). Deletes by
 * criteria must see every earlier save, so they run {@linkplain GroupCommitWriter#submitIsolated
 * isolated}. Loads wait behind a writer barrier for their stream (read-your-writes; it waits
 * only while that stream has writes queued), then run on {@code ioExecutor}; when nothing is
 * queued (every new stream's recovery) the load, one bounded seek, runs on the calling thread
 * instead ({@link RocksDbHandle#readNow}), saving the two thread hand-offs that cost more than it.
 *
 * <p>Thread-safe.
 */
final class LocalSnapshotStorage implements SnapshotStorage {
  private final RocksDbHandle handle;
  private final Executor ioExecutor;

  LocalSnapshotStorage(RocksDbHandle handle, Executor ioExecutor) {
    this.handle = handle;
    this.ioExecutor = ioExecutor;
  }

  @Override
  public CompletionStage<Void> save(StreamKey stream, long seqNr, SnapshotRecord record) {
    StreamWrite write;
    try {
      byte[] key = KeyLayout.seqKey(stream.placementGroup(), stream.persistenceId(), seqNr);
      write = new StreamWrite(stream, WriteOp.put(Column.SNAP, key, record.encode(key)));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e); // e.g. a persistenceId too long for the key layout
    }
    return handle.writer().submit(List.of(write));
  }

  @Override
  public CompletionStage<Optional<StoredSnapshot>> loadLatest(StreamKey stream, SnapshotSelectionCriteria criteria) {
    CompletableFuture<Void> barrier = handle.writer().barrier(stream);
    if (barrier.isDone() && !barrier.isCompletedExceptionally()) {
      // Nothing of this stream is queued: one bounded seek, done here (see the class comment).
      CompletableFuture<Optional<StoredSnapshot>> now = handle.readNow(db -> loadLatest(db, stream, criteria));
      if (now != null) {
        return now;
      }
    }
    return barrier.thenApplyAsync(v -> handle.read(db -> loadLatest(db, stream, criteria)), ioExecutor);
  }

  @Override
  public CompletionStage<Void> delete(StreamKey stream, SnapshotSelectionCriteria criteria) {
    if (isEmptyRange(criteria)) {
      return CompletableFuture.completedFuture(null);
    }
    byte[] lowerKey = lowerKey(stream, criteria);
    byte[] upperKey = upperKey(stream, criteria);
    return handle.writer().submitIsolated(stream, committed -> {
      List<WriteOp> deletes = new ArrayList<>();
      committed.scan(Column.SNAP, lowerKey, upperKey, (key, value) -> {
        if (matchesTimestamp(SnapshotRecord.decode(key, value), criteria)) {
          deletes.add(WriteOp.delete(Column.SNAP, key));
        }
        return true;
      });
      return deletes.isEmpty() ? List.of() : List.of(new StreamWrite(stream, deletes));
    });
  }

  private Optional<StoredSnapshot> loadLatest(RocksDB db, StreamKey stream, SnapshotSelectionCriteria criteria)
      throws RocksDBException {
    if (isEmptyRange(criteria)) {
      return Optional.empty();
    }
    List<StoredSnapshot> found = new ArrayList<>(1);
    KeyRangeScan.scan(db, handle.column(Column.SNAP), lowerKey(stream, criteria), upperKey(stream, criteria),
        KeyRangeScan.Direction.REVERSE, (key, value) -> {
          SnapshotRecord rec = SnapshotRecord.decode(key, value);
          if (!matchesTimestamp(rec, criteria)) {
            return true;
          }
          found.add(new StoredSnapshot(KeyLayout.seqNrOf(key), rec));
          return false;
        });
    return found.stream().findFirst();
  }

  private static byte[] lowerKey(StreamKey stream, SnapshotSelectionCriteria c) {
    return KeyLayout.seqKey(stream.placementGroup(), stream.persistenceId(), Math.max(0, c.minSequenceNr()));
  }

  private static byte[] upperKey(StreamKey stream, SnapshotSelectionCriteria c) {
    return KeyLayout.seqKeyUpperBound(stream.placementGroup(), stream.persistenceId(), c.maxSequenceNr());
  }

  private static boolean isEmptyRange(SnapshotSelectionCriteria c) {
    return c.maxSequenceNr() < 0 || c.maxSequenceNr() < c.minSequenceNr() || c.maxTimestamp() < c.minTimestamp();
  }

  private static boolean matchesTimestamp(SnapshotRecord rec, SnapshotSelectionCriteria c) {
    return rec.timestamp() >= c.minTimestamp() && rec.timestamp() <= c.maxTimestamp();
  }
}
