package dev.sluice.persistence.rocksdb;

import dev.sluice.persistence.store.Column;
import dev.sluice.persistence.store.KeyLayout;
import dev.sluice.persistence.store.MetaRecord;
import dev.sluice.persistence.store.StreamKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

/**
 * INTERNAL API. What a {@link GroupCommitWriter.Mutation} sees while the writer thread folds it into
 * the current group-commit batch: puts and deletes that land in the batch, and a {@code meta} view
 * that includes the changes of mutations earlier in the same batch (a batch often holds several
 * writes of one stream, and the second must build on the first's tail).
 *
 * <p>{@code meta} changes are staged per mutation and written once per stream at commit. If a
 * mutation throws, its puts are rolled back to a save point and its staged {@code meta} changes are
 * dropped, so one bad request cannot corrupt the others sharing its batch.
 *
 * <p>Not thread-safe: confined to the writer thread, alive for one batch.
 */
public final class WriteContext implements AutoCloseable {
  private final RocksDbHandle handle;
  private final MetaCache committed;
  private final WriteBatch batch = new WriteBatch();
  private final Map<StreamKey, MetaRecord> batchMeta = new HashMap<>();
  private final Map<StreamKey, MetaRecord> requestMeta = new HashMap<>();
  private final List<GroupCommitWriter.Request> members = new ArrayList<>();
  private Throwable broken;

  WriteContext(RocksDbHandle handle, MetaCache committed) {
    this.handle = handle;
    this.committed = committed;
  }

  public void put(Column cf, byte[] key, byte[] value) throws RocksDBException {
    batch.put(handle.column(cf), key, value);
  }

  public void delete(Column cf, byte[] key) throws RocksDBException {
    batch.delete(handle.column(cf), key);
  }

  /** Deletes {@code [from, toExclusive)}; ordered with the batch's other operations. */
  public void deleteRange(Column cf, byte[] from, byte[] toExclusive) throws RocksDBException {
    batch.deleteRange(handle.column(cf), from, toExclusive);
  }

  /** The stream's meta as of this batch so far: staged, then batch, then committed state. */
  public MetaRecord meta(StreamKey stream) throws RocksDBException {
    MetaRecord m = requestMeta.get(stream);
    if (m == null) {
      m = batchMeta.get(stream);
    }
    return m != null ? m : committedMeta(stream);
  }

  public void putMeta(StreamKey stream, MetaRecord meta) {
    requestMeta.put(stream, meta);
  }

  /**
   * Iterates committed state only: the scan does not see this batch's own writes. Only
   * {@linkplain GroupCommitWriter#submitIsolated isolated} mutations may rely on it, because the
   * writer commits everything before them first.
   */
  public void scanCommitted(Column cf, byte[] lower, byte[] upperExclusive, KeyRangeScan.Visitor visitor)
      throws RocksDBException {
    KeyRangeScan.scan(handle.db(), handle.column(cf), lower, upperExclusive, KeyRangeScan.Direction.FORWARD, visitor);
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

  // --- used by GroupCommitWriter -------------------------------------------------------------

  void apply(GroupCommitWriter.Request request) {
    members.add(request);
    if (broken != null) {
      return; // the batch is already lost; commit() fails every member
    }
    batch.setSavePoint();
    try {
      request.mutation().applyTo(this);
      batchMeta.putAll(requestMeta);
      batch.popSavePoint();
    } catch (Throwable t) {
      request.fail(t);
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
