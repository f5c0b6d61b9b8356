package dev.sluice.core.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.sluice.core.Bytes;
import dev.sluice.core.CborSerializable;
import dev.sluice.core.spi.IndexedData;
import dev.sluice.core.spi.PurgesData;
import java.util.List;

/**
 * Events of one stream path, persisted by its entity. Producer state and the data it guards
 * travel in the same {@link Appended} event, so a crash can never separate them
 * (checklist §5 "Persist state atomically with the data").
 */
public sealed interface StreamEvent extends CborSerializable {

  /** A new incarnation of the path. Data follows in {@link Appended} events of the same batch. */
  record Created(
      long storeId,
      String contentType,
      Long ttlSeconds,
      Long expiresAtMillis,
      List<Segment> inherited,
      long ownStart,
      ForkOrigin fork,
      long atMillis)
      implements StreamEvent {}

  /**
   * One accepted append unit at {@code position} (the tail before it). {@code producerId} etc.
   * are null for appends without producer headers; {@code closes} marks append-and-close.
   *
   * <p><b>The bytes are stored once.</b> {@code data} is written by the journal, in the same synced
   * batch as this event, as the {@code (storeId, position)} record readers seek in
   * ({@link IndexedData}); the serialized event leaves it out and keeps only {@code length}. So an
   * event replayed from the journal has {@code data == null}, and state is built from
   * {@code length} alone. Storing the payload twice doubled the WAL and compaction work per append.
   * ({@code data} is still read when present, so events written by older versions replay.)
   */
  record Appended(
      long storeId,
      long position,
      long length,
      @JsonProperty(access = JsonProperty.Access.WRITE_ONLY) Bytes data,
      String producerId,
      Long producerEpoch,
      Long producerSeq,
      String streamSeq,
      boolean closes,
      long atMillis)
      implements StreamEvent, IndexedData {

    public Appended {
      // Events written before the bytes moved out of the event carry data and no length.
      if (length == 0 && data != null) length = data.length();
      if (data != null && data.length() != length) {
        throw new IllegalArgumentException("length " + length + " != data length " + data.length());
      }
    }

    /** A new event carrying its unit (as decided; the journal stores {@code data}). */
    public static Appended of(
        long storeId, long position, Bytes data, String producerId, Long producerEpoch, Long producerSeq,
        String streamSeq, boolean closes, long atMillis) {
      return new Appended(storeId, position, data.length(), data, producerId, producerEpoch, producerSeq, streamSeq,
          closes, atMillis);
    }

    /** This event as the journal gives it back on replay. */
    public Appended withoutData() {
      return new Appended(storeId, position, length, null, producerId, producerEpoch, producerSeq, streamSeq, closes,
          atMillis);
    }
  }

  /** Close without data; the producer fields are set when a producer closed it. */
  record Closed(String producerId, Long producerEpoch, Long producerSeq, String streamSeq, long atMillis)
      implements StreamEvent {}

  /** A fork now reads this stream's data; it pins it until {@link ForkReleased}. */
  record ForkAdded(String childPath) implements StreamEvent {}

  record ForkReleased(String childPath) implements StreamEvent {}

  /** Deleted or expired while forks still reference it: reads by forks go on, the path is 410. */
  record SoftDeleted(long atMillis) implements StreamEvent {}

  /** The incarnation is gone; its data is deleted in the same journal batch. */
  record Purged(long storeId) implements StreamEvent, PurgesData {
    @Override
    public long purgedStoreId() {
      return storeId;
    }
  }
}
