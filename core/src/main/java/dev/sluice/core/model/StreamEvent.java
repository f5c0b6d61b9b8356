package dev.sluice.core.model;

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
   */
  record Appended(
      long storeId,
      long position,
      Bytes data,
      String producerId,
      Long producerEpoch,
      Long producerSeq,
      String streamSeq,
      boolean closes,
      long atMillis)
      implements StreamEvent, IndexedData {}

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
