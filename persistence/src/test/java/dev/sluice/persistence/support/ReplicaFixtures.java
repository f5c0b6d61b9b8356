package dev.sluice.persistence.support;

import dev.sluice.core.Bytes;
import dev.sluice.persistence.store.Column;
import dev.sluice.persistence.store.KeyLayout;
import dev.sluice.persistence.store.LogRecord;
import dev.sluice.persistence.store.SerializedBlob;
import dev.sluice.persistence.store.StreamKey;
import dev.sluice.persistence.store.StreamWrite;
import dev.sluice.persistence.store.WriteOp;
import dev.sluice.replication.Entry;
import dev.sluice.replication.Payload;
import dev.sluice.replication.ReplicaState;
import java.util.ArrayList;
import java.util.List;

/**
 * Replica log entries whose payloads are journal writes as the local journal builds them (a
 * {@code log} record per event, its bytes in {@code data} under store {@link #STORE} at position
 * = seqNr, the {@code meta} tail last), and replica metas, for the replica store's tests.
 */
public final class ReplicaFixtures {
  /** The {@code data} store every fixture event writes its bytes to. */
  public static final long STORE = 7;

  private ReplicaFixtures() {}

  /** The text of event {@code seqNr} of {@code stream} written under tag {@code tag} (its log blob and data bytes). */
  public static String text(String stream, String tag, long seqNr) {
    return stream + "/" + tag + "#" + seqNr;
  }

  /** Events {@code from..to} of {@code stream} in one journal write, as one AtomicWrite becomes. */
  public static StreamWrite events(String stream, String tag, long from, long to) {
    StreamKey key = StreamKey.of(stream);
    List<WriteOp> ops = new ArrayList<>();
    for (long seq = from; seq <= to; seq++) {
      byte[] logKey = KeyLayout.seqKey(key.placementGroup(), stream, seq);
      SerializedBlob blob = new SerializedBlob(0, "", Bytes.utf8(text(stream, tag, seq)));
      ops.add(WriteOp.put(Column.LOG, logKey, new LogRecord(0, "writer", blob).encode(logKey)));
      ops.add(WriteOp.put(Column.DATA, KeyLayout.dataKey(STORE, seq), text(stream, tag, seq).getBytes()));
    }
    ops.add(new WriteOp.MetaAppended(from, to, 0));
    return new StreamWrite(key, ops);
  }

  /** A log entry holding {@code write}. */
  public static Entry entry(long seq, long epoch, StreamWrite write) {
    return new Entry(seq, epoch, new Payload(write.encode()), null);
  }

  /**
   * Entries {@code firstEntry..} each holding one event, event seqNr {@code firstEvent + i}: the
   * common shape (one AtomicWrite of one event per entry).
   */
  public static List<Entry> oneEventEach(String stream, String tag, long firstEntry, long firstEvent, int n, long epoch) {
    List<Entry> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(entry(firstEntry + i, epoch, events(stream, tag, firstEvent + i, firstEvent + i)));
    }
    return out;
  }

  /** A replica meta that is not in limbo. */
  public static ReplicaState state(String stream, int replica, String disk, long promised, long tail, long tailEpoch, long lac) {
    return new ReplicaState(stream, replica, disk, promised, tail, tailEpoch, lac, false, 0, 0, 0);
  }
}
