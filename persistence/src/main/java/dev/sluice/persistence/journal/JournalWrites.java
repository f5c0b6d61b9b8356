package dev.sluice.persistence.journal;

import dev.sluice.core.Bytes;
import dev.sluice.core.spi.IndexedData;
import dev.sluice.core.spi.PurgesData;
import dev.sluice.persistence.store.Column;
import dev.sluice.persistence.store.KeyLayout;
import dev.sluice.persistence.store.LogRecord;
import dev.sluice.persistence.store.SerializedBlob;
import dev.sluice.persistence.store.StreamKey;
import dev.sluice.persistence.store.StreamWrite;
import dev.sluice.persistence.store.WriteOp;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.persistence.AtomicWrite;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.persistence.journal.Tagged;
import org.apache.pekko.serialization.Serialization;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Turns the {@code AtomicWrite}s of one journal call into {@link StreamWrite} values, on the
 * journal actor's thread: every event is serialized here, so a serialization failure rejects its
 * AtomicWrite only (definitely not stored) and never reaches the storage.
 *
 * <p>Per event: its {@code log} record, then, for {@link PurgesData}, a range delete of the purged
 * store's {@code data}, then, for {@link IndexedData}, its {@code data} record; per AtomicWrite, the
 * new tail in {@code meta} last.
 *
 * <p>Thread-safe (stateless).
 */
final class JournalWrites {
  /** The epoch of every write until fenced replication exists ({@code persistence/design-notes.md} §7). */
  static final long UNFENCED_EPOCH = 0L;

  /**
   * The writes to store, and the result Pekko expects: one entry per AtomicWrite (empty = stored,
   * present = rejected), or an empty list when nothing was rejected. {@code events}, {@code units}
   * and {@code bytes} count what the writes hold (events, stream data units and their bytes), for
   * {@link JournalMetrics}.
   */
  record Prepared(List<StreamWrite> writes, List<Optional<Exception>> results, int events, int units, long bytes) {}

  /** Counts of what is being prepared; one per {@link #prepare} call. */
  private static final class Tally {
    int events;
    int units;
    long bytes;
  }

  private JournalWrites() {}

  static Prepared prepare(Iterable<AtomicWrite> atomicWrites, Serialization serialization) {
    List<Optional<Exception>> results = new ArrayList<>();
    List<StreamWrite> writes = new ArrayList<>();
    Tally tally = new Tally();
    boolean anyRejected = false;
    for (AtomicWrite aw : atomicWrites) {
      try {
        writes.add(prepare(aw, serialization, tally));
        results.add(Optional.empty());
      } catch (Exception e) {
        results.add(Optional.of(e));
        anyRejected = true;
      }
    }
    return new Prepared(writes, anyRejected ? results : List.of(), tally.events, tally.units, tally.bytes);
  }

  private static StreamWrite prepare(AtomicWrite aw, Serialization serialization, Tally tally) throws Exception {
    int events = 0;
    int units = 0;
    long bytes = 0;
    String pid = aw.persistenceId();
    KeyLayout.pidBytes(pid); // rejects ids that do not fit the key layout
    StreamKey stream = StreamKey.of(pid);
    List<WriteOp> ops = new ArrayList<>();
    long firstSeq = Long.MAX_VALUE;
    long lastSeq = 0;
    for (PersistentRepr repr : CollectionConverters.asJava(aw.payload())) {
      Object event = repr.payload();
      PersistentRepr toStore = repr;
      if (event instanceof Tagged tagged) {
        // Tags are not stored: no eventsByTag query is served from this journal (design-notes.md).
        event = tagged.payload();
        toStore = repr.withPayload(event);
      }
      byte[] key = KeyLayout.seqKey(stream.placementGroup(), pid, repr.sequenceNr());
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
        units++;
        bytes += indexed.data().length();
      }
      events++;
      firstSeq = Math.min(firstSeq, repr.sequenceNr());
      lastSeq = Math.max(lastSeq, repr.sequenceNr());
    }
    ops.add(new WriteOp.MetaAppended(firstSeq, lastSeq, UNFENCED_EPOCH));
    // Counted only once the whole AtomicWrite is prepared: a rejected one stores nothing.
    tally.events += events;
    tally.units += units;
    tally.bytes += bytes;
    return new StreamWrite(stream, ops);
  }
}
