package dev.sluice.persistence.rocksdb;

import dev.sluice.persistence.store.Column;
import dev.sluice.persistence.store.KeyLayout;
import dev.sluice.persistence.store.MetaRecord;
import dev.sluice.persistence.store.StreamKey;
import dev.sluice.persistence.store.StreamWrite;
import dev.sluice.persistence.store.WriteOp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

/**
 * INTERNAL API. One group-commit batch while the writer thread folds requests into it: applies each
 * request's {@link StreamWrite}s to the {@code WriteBatch}, and keeps a {@code meta} view that
 * includes the changes of requests earlier in the same batch (a batch often holds several writes of
 * one stream, and the second must build on the first's tail).
 *
 * <p>{@code meta} changes are staged per request and written once per stream at commit. If a
 * request fails (its isolated computation throws, or a stored {@code meta} it builds on is
 * corrupt), its key changes are rolled back to a save point and its staged {@code meta} changes are
 * dropped, so one bad request cannot corrupt the others sharing its batch.
 *
 * <p>A staged request ({@link GroupCommitWriter.StagedWrite}, the replica store's persist) writes
 * raw keys of {@link #RAW_COLUMNS} and applies stream writes through {@link Staging}, reading the
 * raw keys as of the batch so far ({@link BatchOverlay}).
 *
 * <p>Not thread-safe: confined to the writer thread, alive for one batch.
 */
final class WriteContext implements AutoCloseable {
  /**
   * What a {@link GroupCommitWriter.StagedWrite} may do to the batch it joins. Its changes are part
   * of its request: rolled back together if the request fails.
   */
  interface Staging {
    /**
     * A raw column's value as of this batch so far (earlier requests of the batch and this one
     * included), else as committed; null if absent.
     */
    byte[] get(Column column, byte[] key) throws RocksDBException;

    void put(Column column, byte[] key, byte[] value) throws RocksDBException;

    void deleteRange(Column column, byte[] from, byte[] toExclusive) throws RocksDBException;

    /** Applies a stream write exactly as a submitted one is applied (meta overlay, continuity guard). */
    void apply(StreamWrite write) throws RocksDBException;
  }

  /**
   * The columns a staged write may change key by key: the replica's own log and meta, and the node
   * keys. The readable columns change only through {@link StreamWrite}s, so the meta overlay and the
   * continuity guard see every change to them.
   */
  static final Set<Column> RAW_COLUMNS = Set.of(Column.REPL, Column.DEFAULT);

  private final RocksDbHandle handle;
  private final MetaCache committed;
  private final WriteBatch batch = new WriteBatch();
  private final Map<StreamKey, MetaRecord> batchMeta = new HashMap<>();
  private final Map<StreamKey, MetaRecord> requestMeta = new HashMap<>();
  private final List<GroupCommitWriter.Request> members = new ArrayList<>();
  private final GroupCommitWriter.CommittedReader committedReader;
  private final BatchOverlay overlay = new BatchOverlay();
  private final Staging staging = new Staging() {
    @Override
    public byte[] get(Column column, byte[] key) throws RocksDBException {
      requireRaw(column);
      BatchOverlay.Lookup l = overlay.get(column, key);
      if (l instanceof BatchOverlay.Found f) {
        return f.value();
      }
      return l instanceof BatchOverlay.Absent ? null : handle.db().get(handle.column(column), key);
    }

    @Override
    public void put(Column column, byte[] key, byte[] value) throws RocksDBException {
      requireRaw(column);
      batch.put(handle.column(column), key, value);
      overlay.put(column, key, value);
    }

    @Override
    public void deleteRange(Column column, byte[] from, byte[] toExclusive) throws RocksDBException {
      requireRaw(column);
      batch.deleteRange(handle.column(column), from, toExclusive);
      overlay.deleteRange(column, from, toExclusive);
    }

    @Override
    public void apply(StreamWrite write) throws RocksDBException {
      WriteContext.this.apply(write);
    }
  };
  private Throwable broken;

  WriteContext(RocksDbHandle handle, MetaCache committed) {
    this.handle = handle;
    this.committed = committed;
    this.committedReader = (cf, lower, upperExclusive, visitor) -> KeyRangeScan.scan(
        handle.db(), handle.column(cf), lower, upperExclusive, KeyRangeScan.Direction.FORWARD, visitor);
  }

  void apply(GroupCommitWriter.Request request) {
    members.add(request);
    if (broken != null) {
      return; // the batch is already lost; commit() fails every member
    }
    batch.setSavePoint();
    try {
      if (request.staged() != null) {
        request.staged().applyTo(staging);
      } else {
        for (StreamWrite write : request.writes(committedReader)) {
          apply(write);
        }
      }
      batchMeta.putAll(requestMeta);
      overlay.requestSucceeded();
      batch.popSavePoint();
    } catch (Throwable t) {
      request.fail(t);
      overlay.requestFailed();
      try {
        batch.rollbackToSavePoint();
      } catch (RocksDBException | RuntimeException e) {
        // Cannot undo this request's half-applied puts, so nothing in the batch may be written.
        broken = e;
      }
    } finally {
      requestMeta.clear();
    }
  }

  private void apply(StreamWrite write) throws RocksDBException {
    StreamKey stream = write.stream();
    for (WriteOp op : write.ops()) {
      if (op instanceof WriteOp.Put p) {
        batch.put(handle.column(p.column()), p.key().unsafeArray(), p.value().unsafeArray());
      } else if (op instanceof WriteOp.Delete d) {
        batch.delete(handle.column(d.column()), d.key().unsafeArray());
      } else if (op instanceof WriteOp.DeleteRange r) {
        batch.deleteRange(handle.column(r.column()), r.from().unsafeArray(), r.toExclusive().unsafeArray());
      } else if (op instanceof WriteOp.MetaAppended a) {
        MetaRecord before = meta(stream);
        if (a.firstSeq() <= before.highestEver()) {
          throw new IllegalStateException("refusing to overwrite stored events of " + stream.persistenceId()
              + ": write of " + a.firstSeq() + ".." + a.lastSeq() + " does not continue its stored tail "
              + before.highestEver());
        }
        requestMeta.put(stream, before.appended(a.lastSeq(), a.epoch()));
      } else if (op instanceof WriteOp.MetaDeletedTo t) {
        deleteTo(stream, t.toSeq());
      } else {
        throw new IllegalStateException("unknown op " + op); // unreachable: WriteOp is sealed
      }
    }
  }

  private static void requireRaw(Column column) {
    if (!RAW_COLUMNS.contains(column)) {
      throw new IllegalArgumentException("raw key writes to " + column.cfName() + " are not allowed; use a StreamWrite");
    }
  }

  /** One range tombstone in {@code log} and the new {@code deletedTo}, only if it moves. */
  private void deleteTo(StreamKey stream, long toSeq) throws RocksDBException {
    MetaRecord before = meta(stream);
    MetaRecord after = before.deletedUpTo(toSeq);
    if (after.deletedTo() > before.deletedTo()) {
      batch.deleteRange(handle.column(Column.LOG),
          KeyLayout.seqKey(stream.placementGroup(), stream.persistenceId(), 0),
          KeyLayout.seqKeyUpperBound(stream.placementGroup(), stream.persistenceId(), after.deletedTo()));
      requestMeta.put(stream, after);
    }
  }

  /** The stream's meta as of this batch so far: staged, then batch, then committed state. */
  private MetaRecord meta(StreamKey stream) throws RocksDBException {
    MetaRecord m = requestMeta.get(stream);
    if (m == null) {
      m = batchMeta.get(stream);
    }
    return m != null ? m : committedMeta(stream);
  }

  private MetaRecord committedMeta(StreamKey stream) throws RocksDBException {
    MetaRecord cached = committed.get(stream);
    if (cached != null) {
      return cached;
    }
    byte[] key = KeyLayout.streamKey(stream.placementGroup(), stream.persistenceId());
    byte[] value = handle.db().get(handle.column(Column.META), key);
    MetaRecord m = value == null ? MetaRecord.EMPTY : MetaRecord.decode(key, value);
    committed.put(stream, m);
    return m;
  }

  boolean isEmpty() {
    return members.isEmpty();
  }

  List<GroupCommitWriter.Request> members() {
    return members;
  }

  /** The meta of every stream this batch touched, as it will be once the batch is committed. */
  Map<StreamKey, MetaRecord> batchMeta() {
    return batchMeta;
  }

  Throwable broken() {
    return broken;
  }

  /** Adds the final meta of every stream touched in this batch; call once, right before writing. */
  WriteBatch sealedBatch() throws RocksDBException {
    for (Map.Entry<StreamKey, MetaRecord> e : batchMeta.entrySet()) {
      StreamKey s = e.getKey();
      byte[] key = KeyLayout.streamKey(s.placementGroup(), s.persistenceId());
      batch.put(handle.column(Column.META), key, e.getValue().encode(key));
    }
    return batch;
  }

  @Override
  public void close() {
    batch.close();
  }
}
