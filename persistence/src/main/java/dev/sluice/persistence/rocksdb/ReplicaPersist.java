package dev.sluice.persistence.rocksdb;

import dev.sluice.persistence.store.Column;
import dev.sluice.persistence.store.KeyLayout;
import dev.sluice.persistence.store.ReplEntryRecord;
import dev.sluice.persistence.store.ReplicaMetaRecord;
import dev.sluice.persistence.store.StreamKey;
import dev.sluice.persistence.store.StreamWrite;
import dev.sluice.replication.LogChange;
import dev.sluice.replication.ReplicaState;
import java.util.List;
import org.rocksdb.RocksDBException;

/**
 * INTERNAL API. One {@code ReplicaStore.persist} as the writer thread applies it, inside the group
 * commit batch it shares with every other write of the node:
 *
 * <ol>
 *   <li>check that the change continues the stream's stored log (as of the batch so far) and leaves
 *       the tail the new meta names, and that it cuts nothing already materialized;
 *   <li>a range delete of the truncated suffix in {@code repl}, a put per appended entry;
 *   <li>materialize: decode the payload of every entry in {@code (materializedUpTo, upTo]} (from this
 *       change, an earlier request of the batch or committed {@code repl}) and apply it as the local
 *       journal would have written it;
 *   <li>the replica meta, with the new {@code materializedUpTo}.
 * </ol>
 *
 * <p>Why start at {@code materializedUpTo} and not at the range the driver named: entries at or
 * below it were applied already (re-applying would trip the journal's continuity guard, and skipping
 * makes a repeated {@code Committed} harmless), and entries between it and the range's start (a
 * driver that once passed no range) are committed too, so they are applied first, in order.
 *
 * <p>A failed check fails this request alone (its changes are rolled back): a driver pipelining
 * persists gets every later persist of the stream refused too, since they no longer continue the
 * stored log, instead of a log with a hole. Immutable; runs on the writer thread only.
 */
final class ReplicaPersist implements GroupCommitWriter.StagedWrite {
  /** An entry's {@code repl} key and value, encoded on the caller's thread. */
  record EncodedEntry(long seq, byte[] key, byte[] value) {}

  private final StreamKey stream;
  private final ReplicaState meta;
  private final long truncateAfter;
  private final List<EncodedEntry> append;
  /** Materialize entries up to this seq (0: nothing); at most {@code meta.lac()}. */
  private final long materializeUpTo;

  ReplicaPersist(StreamKey stream, ReplicaState meta, LogChange change, List<EncodedEntry> append, long materializeUpTo) {
    if (materializeUpTo > meta.lac()) {
      throw new IllegalArgumentException("cannot materialize up to " + materializeUpTo + " above lac " + meta.lac());
    }
    this.stream = stream;
    this.meta = meta;
    this.truncateAfter = change.truncateAfter();
    this.append = List.copyOf(append);
    this.materializeUpTo = materializeUpTo;
  }

  @Override
  public void applyTo(WriteContext.Staging batch) throws RocksDBException {
    int pg = stream.placementGroup();
    String pid = stream.persistenceId();
    byte[] metaKey = KeyLayout.replMetaKey(pg, pid);
    byte[] stored = batch.get(Column.REPL, metaKey);
    ReplicaMetaRecord before = stored == null ? null : ReplicaMetaRecord.decode(pid, metaKey, stored);
    long tail = before == null ? 0 : before.state().tailSeq();
    long lac = before == null ? 0 : before.state().lac();
    long materialized = before == null ? 0 : before.materializedUpTo();

    long kept = truncateAfter == LogChange.NO_TRUNCATE ? tail : Math.min(tail, truncateAfter);
    long newTail = kept + append.size();
    if ((!append.isEmpty() && append.get(0).seq() != kept + 1) || newTail != meta.tailSeq()) {
      throw new IllegalStateException("replica persist of " + pid + " does not continue its stored log (tail " + tail
          + "): change keeps " + kept + " and appends " + append.size() + ", new meta says tail " + meta.tailSeq()
          + " (an earlier persist of the stream failed? reload the stream)");
    }
    if (kept < materialized) {
      throw new IllegalStateException("replica persist of " + pid + " truncates after " + kept
          + ", below materialized entry " + materialized + "; committed entries are never cut");
    }
    if (meta.lac() < lac) {
      throw new IllegalStateException("replica persist of " + pid + " lowers lac from " + lac + " to " + meta.lac());
    }

    if (kept < tail) {
      batch.deleteRange(Column.REPL, KeyLayout.replEntryKey(pg, pid, kept + 1),
          KeyLayout.seqKeyUpperBound(pg, pid, Long.MAX_VALUE));
    }
    for (EncodedEntry e : append) {
      batch.put(Column.REPL, e.key(), e.value());
    }
    for (long seq = materialized + 1; seq <= materializeUpTo; seq++) {
      byte[] key = KeyLayout.replEntryKey(pg, pid, seq);
      byte[] value = batch.get(Column.REPL, key);
      if (value == null) {
        throw new IllegalStateException("replica log of " + pid + " has no entry " + seq + " to materialize (lac "
            + meta.lac() + ", tail " + meta.tailSeq() + ")");
      }
      StreamWrite write = StreamWrite.decode(ReplEntryRecord.payload(key, value));
      if (!write.stream().equals(stream)) {
        throw new IllegalStateException("entry " + seq + " of " + pid + " holds a write of another stream: " + write);
      }
      batch.apply(write);
    }
    long nowMaterialized = Math.max(materialized, materializeUpTo);
    batch.put(Column.REPL, metaKey, new ReplicaMetaRecord(meta, nowMaterialized).encode(metaKey));
  }
}
