package dev.sluice.persistence.rocksdb;

import dev.sluice.core.Bytes;
import dev.sluice.core.spi.IndexedData;
import dev.sluice.core.spi.PurgesData;
import dev.sluice.persistence.store.Column;
import dev.sluice.persistence.store.KeyLayout;
import dev.sluice.persistence.store.LogRecord;
import dev.sluice.persistence.store.MetaRecord;
import dev.sluice.persistence.store.SerializedBlob;
import dev.sluice.persistence.store.StreamKey;
import dev.sluice.persistence.store.StreamWrite;
import dev.sluice.persistence.store.WriteOp;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.apache.pekko.persistence.AtomicWrite;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.persistence.journal.Tagged;
import org.apache.pekko.serialization.Serialization;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import scala.jdk.javaapi.CollectionConverters;

/**
 * INTERNAL API. Storage access for the journal plugin ({@code journal.RocksDbJournal}): turns
 * Pekko journal calls into {@link StreamWrite} values for the group-commit writer, and into RocksDB
 * reads. The journal actor only delegates here.
 *
 * <p>Writes: every {@code AtomicWrite} of one call is serialized on the caller's thread (a failure
 * rejects that AtomicWrite only: definitely not stored), then all of them go to the writer as ONE
 * request, so they land in one synced {@code WriteBatch} together with the {@code meta} update and
 * the {@code data} records of {@link IndexedData} / {@link PurgesData} events.
 *
 * <p>Reads run on {@code ioExecutor}. The highest sequence number is read behind a writer
 * {@linkplain GroupCommitWriter#barrier() barrier}, so a restarted entity never sees a tail older
 * than a write it had in flight, which would make it reuse sequence numbers.
 *
 * <p>Thread-safe.
 */
public final class JournalDao {
  /** The epoch of every write until fenced replication exists (REPLICATION-RESEARCH.md §3.2). */
  static final long UNFENCED_EPOCH = 0L;
  private static final int PG = KeyLayout.DEFAULT_PLACEMENT_GROUP;

  private final RocksDbHandle handle;
  private final Serialization serialization;
  private final Executor ioExecutor;

  public JournalDao(RocksDbHandle handle, Serialization serialization, Executor ioExecutor) {
    this.handle = handle;
    this.serialization = serialization;
    this.ioExecutor = ioExecutor;
  }

  /**
   * Stores the writes; the result has one entry per AtomicWrite (empty = stored, present =
   * rejected), or is an empty list when nothing was rejected. Fails when the storage write fails.
   */
  public CompletionStage<List<Optional<Exception>>> write(Iterable<AtomicWrite> writes) {
    List<Optional<Exception>> results = new ArrayList<>();
    List<StreamWrite> prepared = new ArrayList<>();
    boolean anyRejected = false;
    for (AtomicWrite aw : writes) {
      try {
        prepared.add(prepare(aw));
        results.add(Optional.empty());
      } catch (Exception e) {
        results.add(Optional.of(e));
        anyRejected = true;
      }
    }
    List<Optional<Exception>> outcome = anyRejected ? results : List.of();
    if (prepared.isEmpty()) {
      return CompletableFuture.completedFuture(outcome);
    }
    return handle.writer().submit(prepared).thenApply(v -> outcome);
  }

  /** Highest sequence number ever written for {@code pid} (0 if none); never lowered by deletes. */
  public CompletionStage<Long> highestSequenceNr(String pid) {
    return handle.writer().barrier()
        .thenApplyAsync(v -> handle.read(db -> readMeta(db, pid)).highestEver(), ioExecutor);
  }

  /** Replays stored events in {@code [from, to]}, at most {@code max}, in order. */
  public CompletionStage<Void> replay(String pid, long from, long to, long max, Consumer<PersistentRepr> callback) {
    return CompletableFuture.runAsync(() -> replayBlocking(pid, from, to, max, callback), ioExecutor);
  }

  /**
   * Deletes events {@code <= toSeq}: one range delete in {@code log} and {@code deletedTo} in
   * {@code meta}, in one synced batch. {@code highestEver} stays, so the TCK's "not reset
   * highestSequenceNr after journal cleanup" holds.
   */
  public CompletionStage<Void> deleteTo(String pid, long toSeq) {
    return handle.writer().submit(List.of(new StreamWrite(new StreamKey(PG, pid), new WriteOp.MetaDeletedTo(toSeq))));
  }

  private void replayBlocking(String pid, long from, long to, long max, Consumer<PersistentRepr> callback) {
    handle.read(db -> {
      long start = Math.max(Math.max(from, 0), readMeta(db, pid).deletedTo() + 1);
      if (max <= 0 || to < start) {
        return null;
      }
      long[] n = {0};
      KeyRangeScan.scan(db, handle.column(Column.LOG), KeyLayout.seqKey(PG, pid, start),
          KeyLayout.seqKeyUpperBound(PG, pid, to), KeyRangeScan.Direction.FORWARD, (key, value) -> {
            LogRecord rec = LogRecord.decode(key, value);
            callback.accept((PersistentRepr) rec.repr().deserialize(serialization));
            return ++n[0] < max;
          });
      return null;
    });
  }

  private MetaRecord readMeta(RocksDB db, String pid) throws RocksDBException {
    byte[] key = KeyLayout.streamKey(PG, pid);
    byte[] value = db.get(handle.column(Column.META), key);
    return value == null ? MetaRecord.EMPTY : MetaRecord.decode(key, value);
  }

  /** One AtomicWrite as a value: its events, their {@code data} changes, then the new tail. */
  private StreamWrite prepare(AtomicWrite aw) throws Exception {
    String pid = aw.persistenceId();
    KeyLayout.pidBytes(pid); // rejects ids that do not fit the key layout
    List<WriteOp> ops = new ArrayList<>();
    long lastSeq = 0;
    for (PersistentRepr repr : CollectionConverters.asJava(aw.payload())) {
      Object event = repr.payload();
      PersistentRepr toStore = repr;
      if (event instanceof Tagged tagged) {
        // Tags are not stored: no eventsByTag query is served from this journal (design-notes.md).
        event = tagged.payload();
        toStore = repr.withPayload(event);
      }
      byte[] key = KeyLayout.seqKey(PG, pid, repr.sequenceNr());
      SerializedBlob blob = SerializedBlob.of(serialization, toStore);
      ops.add(WriteOp.put(Column.LOG, key, new LogRecord(UNFENCED_EPOCH, repr.writerUuid(), blob).encode(key)));
      // Purge before index: an event that re-creates a store must keep its own new unit.
      if (event instanceof PurgesData purge) {
        long storeId = purge.purgedStoreId();
        ops.add(WriteOp.deleteRange(Column.DATA, KeyLayout.dataKey(storeId, 0), KeyLayout.dataStoreEnd(storeId)));
      }
      if (event instanceof IndexedData indexed) {
        // The event's data is immutable Bytes, so the op shares it instead of copying.
        ops.add(new WriteOp.Put(
            Column.DATA, Bytes.wrap(KeyLayout.dataKey(indexed.storeId(), indexed.position())), indexed.data()));
      }
      lastSeq = Math.max(lastSeq, repr.sequenceNr());
    }
    ops.add(new WriteOp.MetaAppended(lastSeq, UNFENCED_EPOCH));
    return new StreamWrite(new StreamKey(PG, pid), ops);
  }
}
