package dev.sluice.persistence.rocksdb;

import dev.sluice.persistence.store.Column;
import dev.sluice.persistence.store.KeyLayout;
import dev.sluice.persistence.store.SerializedBlob;
import dev.sluice.persistence.store.SnapshotRecord;
import dev.sluice.persistence.store.StreamKey;
import dev.sluice.persistence.store.StreamWrite;
import dev.sluice.persistence.store.WriteOp;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.persistence.SelectedSnapshot;
import org.apache.pekko.persistence.SnapshotMetadata;
import org.apache.pekko.persistence.SnapshotSelectionCriteria;
import org.apache.pekko.serialization.Serialization;
import scala.Option;

/**
 * INTERNAL API. Storage access for the snapshot-store plugin ({@code journal.RocksDbSnapshotStore}):
 * snapshots live in the {@code snap} column family keyed {@code [pg][pid][seqNr]}, so "the latest
 * snapshot matching criteria" is a reverse scan of one bounded key range.
 *
 * <p>Saves and deletes go through the group-commit writer (synced like events). Deletes by
 * criteria must see every earlier save, so they run {@linkplain GroupCommitWriter#submitIsolated
 * isolated}. Loads run on {@code ioExecutor} behind a writer barrier (read-your-writes).
 *
 * <p>Thread-safe.
 */
public final class SnapshotDao {
  private static final int PG = KeyLayout.DEFAULT_PLACEMENT_GROUP;

  private final RocksDbHandle handle;
  private final Serialization serialization;
  private final Executor ioExecutor;

  public SnapshotDao(RocksDbHandle handle, Serialization serialization, Executor ioExecutor) {
    this.handle = handle;
    this.serialization = serialization;
    this.ioExecutor = ioExecutor;
  }

  public CompletionStage<Void> save(SnapshotMetadata metadata, Object snapshot) {
    byte[] key;
    byte[] value;
    try {
      key = KeyLayout.seqKey(PG, metadata.persistenceId(), metadata.sequenceNr());
      Optional<SerializedBlob> meta = metadata.metadata().isDefined()
          ? Optional.of(SerializedBlob.of(serialization, metadata.metadata().get()))
          : Optional.empty();
      SnapshotRecord rec = new SnapshotRecord(
          JournalDao.UNFENCED_EPOCH, metadata.timestamp(), SerializedBlob.of(serialization, snapshot), meta);
      value = rec.encode(key);
    } catch (Exception e) {
      return CompletableFuture.failedFuture(e);
    }
    StreamKey stream = new StreamKey(PG, metadata.persistenceId());
    return handle.writer().submit(List.of(new StreamWrite(stream, WriteOp.put(Column.SNAP, key, value))));
  }

  /** The newest snapshot matching {@code criteria}, if any. */
  public CompletionStage<Optional<SelectedSnapshot>> load(String pid, SnapshotSelectionCriteria criteria) {
    return handle.writer().barrier().thenApplyAsync(v -> loadBlocking(pid, criteria), ioExecutor);
  }

  /**
   * Deletes the snapshot at {@code metadata.sequenceNr}; a non-zero timestamp must match too (as in
   * Pekko's local snapshot store).
   */
  public CompletionStage<Void> delete(SnapshotMetadata metadata) {
    String pid = metadata.persistenceId();
    long seq = metadata.sequenceNr();
    long ts = metadata.timestamp();
    SnapshotSelectionCriteria exact = new SnapshotSelectionCriteria(
        seq, ts == 0 ? Long.MAX_VALUE : ts, seq, ts == 0 ? 0 : ts);
    return delete(pid, exact);
  }

  /** Deletes every snapshot of {@code pid} matching {@code criteria}. */
  public CompletionStage<Void> delete(String pid, SnapshotSelectionCriteria criteria) {
    if (isEmptyRange(criteria)) {
      return CompletableFuture.completedFuture(null);
    }
    byte[] lowerKey = KeyLayout.seqKey(PG, pid, Math.max(0, criteria.minSequenceNr()));
    byte[] upperKey = KeyLayout.seqKeyUpperBound(PG, pid, criteria.maxSequenceNr());
    return handle.writer().submitIsolated(committed -> {
      List<WriteOp> deletes = new ArrayList<>();
      committed.scan(Column.SNAP, lowerKey, upperKey, (key, value) -> {
        if (matchesTimestamp(SnapshotRecord.decode(key, value), criteria)) {
          deletes.add(WriteOp.delete(Column.SNAP, key));
        }
        return true;
      });
      return deletes.isEmpty() ? List.of() : List.of(new StreamWrite(new StreamKey(PG, pid), deletes));
    });
  }

  private Optional<SelectedSnapshot> loadBlocking(String pid, SnapshotSelectionCriteria criteria) {
    if (isEmptyRange(criteria)) {
      return Optional.empty();
    }
    byte[] lowerKey = KeyLayout.seqKey(PG, pid, Math.max(0, criteria.minSequenceNr()));
    byte[] upperKey = KeyLayout.seqKeyUpperBound(PG, pid, criteria.maxSequenceNr());
    List<SelectedSnapshot> found = new ArrayList<>(1);
    handle.scan(Column.SNAP, lowerKey, upperKey, KeyRangeScan.Direction.REVERSE, (key, value) -> {
      SnapshotRecord rec = SnapshotRecord.decode(key, value);
      if (!matchesTimestamp(rec, criteria)) {
        return true;
      }
      Option<Object> meta = rec.metadata().isPresent()
          ? Option.apply(rec.metadata().get().deserialize(serialization))
          : Option.empty();
      SnapshotMetadata md = new SnapshotMetadata(pid, KeyLayout.seqNrOf(key), rec.timestamp(), meta);
      found.add(new SelectedSnapshot(md, rec.snapshot().deserialize(serialization)));
      return false;
    });
    return found.stream().findFirst();
  }

  private static boolean isEmptyRange(SnapshotSelectionCriteria c) {
    return c.maxSequenceNr() < 0 || c.maxSequenceNr() < c.minSequenceNr() || c.maxTimestamp() < c.minTimestamp();
  }

  private static boolean matchesTimestamp(SnapshotRecord rec, SnapshotSelectionCriteria c) {
    return rec.timestamp() >= c.minTimestamp() && rec.timestamp() <= c.maxTimestamp();
  }
}
