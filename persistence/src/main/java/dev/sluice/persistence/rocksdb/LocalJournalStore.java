package dev.sluice.persistence.rocksdb;

import dev.sluice.persistence.store.Column;
import dev.sluice.persistence.store.JournalStore;
import dev.sluice.persistence.store.KeyLayout;
import dev.sluice.persistence.store.LogRecord;
import dev.sluice.persistence.store.MetaRecord;
import dev.sluice.persistence.store.StreamKey;
import dev.sluice.persistence.store.StreamWrite;
import dev.sluice.persistence.store.WriteOp;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;

/**
 * INTERNAL API. The {@link JournalStore} of one node: writes go to the group-commit writer (one
 * synced {@code WriteBatch} for everything queued meanwhile, so the events, the {@code meta} tail
 * and the {@code data} records of one call are atomic), reads go straight to RocksDB.
 *
 * <p>Replays run on {@code ioExecutor}. The highest sequence number is read behind a writer
 * {@linkplain GroupCommitWriter#barrier(StreamKey) barrier for its stream}: that is the contract's
 * read-your-writes, and it waits only while that stream has writes queued (a new stream's
 * recovery does not wait for other streams' fsyncs). When nothing is queued the read (one point
 * lookup, served by the bloom filters for a stream that was never written) runs on the calling
 * thread ({@link RocksDbHandle#readNow}) instead of two thread hand-offs away: the hop to
 * {@code ioExecutor} and back cost more CPU than the read (README "Stream creation").
 *
 * <p>Thread-safe.
 */
final class LocalJournalStore implements JournalStore {
  private final RocksDbHandle handle;
  private final Executor ioExecutor;

  LocalJournalStore(RocksDbHandle handle, Executor ioExecutor) {
    this.handle = handle;
    this.ioExecutor = ioExecutor;
  }

  @Override
  public CompletionStage<Void> write(List<StreamWrite> writes) {
    return handle.writer().submit(writes);
  }

  @Override
  public CompletionStage<Long> highestSequenceNr(StreamKey stream) {
    CompletableFuture<Void> barrier = handle.writer().barrier(stream);
    if (barrier.isDone() && !barrier.isCompletedExceptionally()) {
      // Nothing of this stream is queued (every new stream's recovery): one point read, done here.
      CompletableFuture<Long> now = handle.readNow(db -> readMeta(db, stream).highestEver());
      if (now != null) {
        return now;
      }
    }
    return barrier.thenApplyAsync(v -> handle.read(db -> readMeta(db, stream)).highestEver(), ioExecutor);
  }

  @Override
  public CompletionStage<Void> replay(StreamKey stream, long from, long to, long max, Consumer<StoredEvent> onEvent) {
    return CompletableFuture.runAsync(() -> replayBlocking(stream, from, to, max, onEvent), ioExecutor);
  }

  /**
   * One {@link WriteOp.MetaDeletedTo}: a range delete in {@code log} and {@code deletedTo} in
   * {@code meta}, in one synced batch. {@code highestEver} stays, so the TCK's "not reset
   * highestSequenceNr after journal cleanup" holds.
   */
  @Override
  public CompletionStage<Void> deleteTo(StreamKey stream, long toSeq) {
    return write(List.of(new StreamWrite(stream, new WriteOp.MetaDeletedTo(toSeq))));
  }

  private void replayBlocking(StreamKey stream, long from, long to, long max, Consumer<StoredEvent> onEvent) {
    int pg = stream.placementGroup();
    String pid = stream.persistenceId();
    handle.read(db -> {
      long start = Math.max(Math.max(from, 0), readMeta(db, stream).deletedTo() + 1);
      if (max <= 0 || to < start) {
        return null;
      }
      long[] n = {0};
      KeyRangeScan.scan(db, handle.column(Column.LOG), KeyLayout.seqKey(pg, pid, start),
          KeyLayout.seqKeyUpperBound(pg, pid, to), KeyRangeScan.Direction.FORWARD, (key, value) -> {
            onEvent.accept(new StoredEvent(KeyLayout.seqNrOf(key), LogRecord.decode(key, value)));
            return ++n[0] < max;
          });
      return null;
    });
  }

  private MetaRecord readMeta(RocksDB db, StreamKey stream) throws RocksDBException {
    byte[] key = KeyLayout.streamKey(stream.placementGroup(), stream.persistenceId());
    byte[] value = db.get(handle.column(Column.META), key);
    return value == null ? MetaRecord.EMPTY : MetaRecord.decode(key, value);
  }
}
