package dev.sluice.persistence.store;

import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * The journal's storage contract: what {@code journal.RocksDbJournal} needs from wherever events are
 * kept. The plugin does Pekko serialization and turns each {@code AtomicWrite} into a
 * {@link StreamWrite}; an implementation stores and reads those. Today's implementation is the
 * node-local RocksDB ({@code RocksDbStorage.journalStore}); the quorum-replicated one
 * ({@code replicated.ReplicatedJournalStore}, {@code persistence/design-notes.md} §10) is the second,
 * checked by the same contract test ({@code JournalStoreContract} in this module's tests).
 *
 * <p>Every method may fail its future with a {@link StorageException} (the outcome of a failed
 * write is unknown: recovery decides it) or, when stored bytes fail their checksum, with a
 * {@link CorruptRecordException}.
 *
 * <p>Implementations are thread-safe.
 */
public interface JournalStore {

  /**
   * Stores {@code writes} as one unit: all of them or none, in list order. Calls take effect in the
   * order they are made, so pipelined writes of one stream stay in order. Completes once the
   * writes are durable (for the local store: fsynced; for the replicated store: on a quorum and
   * materialized on this node). The replicated store is atomic per stream only: a call spanning
   * streams (Pekko never makes one) may store some streams' part and not others'. A write whose
   * first sequence number does not continue the stream's highest one is refused, never stored.
   */
  CompletionStage<Void> write(List<StreamWrite> writes);

  /**
   * Highest sequence number ever stored for {@code stream}, 0 if none; never lowered by
   * {@link #deleteTo}. Reflects every write submitted before this call, even one not yet
   * acknowledged (read-your-writes), so a restarted entity never reuses a sequence number it had
   * in flight.
   */
  CompletionStage<Long> highestSequenceNr(StreamKey stream);

  /**
   * Calls {@code onEvent} for each stored event of {@code stream} in {@code [from, to]} that was not
   * deleted, in ascending order, at most {@code max} of them, then completes. {@code onEvent} runs
   * on the implementation's IO thread, one event at a time.
   */
  CompletionStage<Void> replay(StreamKey stream, long from, long to, long max, Consumer<StoredEvent> onEvent);

  /**
   * Deletes the events of {@code stream} up to {@code toSeq} (clamped to the highest sequence
   * number: later events are never affected). Idempotent.
   */
  CompletionStage<Void> deleteTo(StreamKey stream, long toSeq);

  /** One stored event: its sequence number and its {@code log} record. Immutable. */
  record StoredEvent(long seqNr, LogRecord record) {}
}
