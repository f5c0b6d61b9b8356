package dev.sluice.persistence.rocksdb;

import dev.sluice.persistence.store.Column;
import dev.sluice.persistence.store.CorruptRecordException;
import dev.sluice.persistence.store.KeyLayout;
import dev.sluice.persistence.store.ReplEntryRecord;
import dev.sluice.persistence.store.ReplicaMetaRecord;
import dev.sluice.persistence.store.StreamKey;
import dev.sluice.replication.Entry;
import dev.sluice.replication.Epoch;
import dev.sluice.replication.ReplicaLog;
import java.util.ArrayList;
import java.util.List;

/**
 * INTERNAL API. The committed {@code repl} log of one stream, read on demand: {@link #tailSeq()} from
 * the replica meta, {@link #epochAt} as a point read, {@link #entries} as one bounded forward scan
 * that stops as soon as the page is full ({@link ReplicaLog#page}'s rule), so a far-behind peer's
 * catch-up never reads more than one page.
 *
 * <p>It shows a persist as soon as its batch is durable, possibly before the driver hears so;
 * {@code PendingReplica} therefore asks it only for entries that no in-flight change can touch.
 *
 * <p>Thread-safe (every read holds the storage's read lock); not a snapshot: two calls may see two
 * states if a persist of the stream lands in between.
 */
final class RocksDbReplicaLog implements ReplicaLog {
  private final RocksDbHandle handle;
  private final StreamKey stream;

  RocksDbReplicaLog(RocksDbHandle handle, StreamKey stream) {
    this.handle = handle;
    this.stream = stream;
  }

  @Override
  public long tailSeq() {
    ReplicaMetaRecord m = RocksDbReplicaStore.readMeta(handle, stream);
    return m == null ? 0 : m.state().tailSeq();
  }

  @Override
  public long epochAt(long seq) {
    if (seq == 0) {
      return Epoch.NONE;
    }
    if (seq < 0) {
      throw new IllegalArgumentException("seq must be >= 0, was " + seq);
    }
    byte[] key = KeyLayout.replEntryKey(stream.placementGroup(), stream.persistenceId(), seq);
    byte[] value = handle.read(db -> db.get(handle.column(Column.REPL), key));
    if (value == null) {
      throw new IllegalArgumentException("no entry " + seq + " in the replica log of " + stream.persistenceId());
    }
    return ReplEntryRecord.decode(key, value).epoch();
  }

  @Override
  public List<Entry> entries(long fromSeq, int max, long maxBytes) {
    if (max <= 0) {
      return List.of();
    }
    int pg = stream.placementGroup();
    String pid = stream.persistenceId();
    long first = Math.max(0, fromSeq) + 1;
    List<Entry> out = new ArrayList<>(Math.min(max, 64));
    long[] bytes = {0};
    handle.scan(Column.REPL, KeyLayout.replEntryKey(pg, pid, first), KeyLayout.seqKeyUpperBound(pg, pid, Long.MAX_VALUE),
        KeyRangeScan.Direction.FORWARD, (key, value) -> {
          Entry e = ReplEntryRecord.decode(key, value);
          if (e.seq() != first + out.size()) {
            throw new CorruptRecordException("replica log of " + pid + " has entry " + e.seq() + " where "
                + (first + out.size()) + " belongs");
          }
          if (!out.isEmpty() && bytes[0] + e.sizeBytes() > maxBytes) {
            return false;
          }
          out.add(e);
          bytes[0] += e.sizeBytes();
          return out.size() < max;
        });
    return ReplicaLog.page(out, max, maxBytes);
  }
}
