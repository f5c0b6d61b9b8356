package dev.sluice.persistence.store;

import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.persistence.SnapshotSelectionCriteria;

/**
 * The snapshot store's storage contract: what {@code journal.RocksDbSnapshotStore} needs from
 * wherever snapshots are kept. The plugin does Pekko serialization; an implementation stores
 * {@link SnapshotRecord}s by stream and sequence number. Named {@code SnapshotStorage} because
 * {@code SnapshotStore} is the Pekko plugin base class the plugin extends.
 *
 * <p>Every method may fail its future with a {@link StorageException} or a
 * {@link CorruptRecordException}, as for {@link JournalStore}.
 *
 * <p>Implementations are thread-safe.
 */
public interface SnapshotStorage {

  /** Stores {@code record} as the snapshot of {@code stream} at {@code seqNr}, replacing any there. */
  CompletionStage<Void> save(StreamKey stream, long seqNr, SnapshotRecord record);

  /**
   * The snapshot with the highest sequence number matching {@code criteria} (sequence number and
   * timestamp ranges), if any. Sees every save submitted before this call (read-your-writes).
   */
  CompletionStage<Optional<StoredSnapshot>> loadLatest(StreamKey stream, SnapshotSelectionCriteria criteria);

  /** Deletes every snapshot of {@code stream} matching {@code criteria}, including saves submitted before. */
  CompletionStage<Void> delete(StreamKey stream, SnapshotSelectionCriteria criteria);

  /** One stored snapshot: its sequence number and its {@code snap} record. Immutable. */
  record StoredSnapshot(long seqNr, SnapshotRecord record) {}
}
