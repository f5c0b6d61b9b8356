package dev.sluice.core.spi;

import java.util.List;
import java.util.Optional;

/**
 * Read side of the durable data store: stream bytes addressed by {@code (storeId, position)}.
 *
 * <p>A {@code storeId} names one incarnation of one stream (a re-created stream gets a new id,
 * so it can never see its predecessor's bytes). Data is written only by the journal plugin
 * (see {@link IndexedData}); this port only reads it and never returns uncommitted data:
 * callers bound every read by the committed tail they got from the stream's entity.
 *
 * <p>Methods block on local storage (microseconds when cached); call them from a dispatcher
 * meant for blocking IO. Implementations are thread-safe.
 */
public interface StreamDataStore {

  /**
   * Units of {@code storeId} whose start position is in {@code [fromPos, toPos)}, in position
   * order, stopping once {@code maxBytes} is reached. At least one unit is returned when one
   * exists in range, even if it is larger than {@code maxBytes}.
   */
  List<DataUnit> read(long storeId, long fromPos, long toPos, int maxBytes);

  /** The unit that starts exactly at {@code position}, if any. */
  Optional<DataUnit> unitAt(long storeId, long position);

  /**
   * Where the bytes of {@code storeId} held by THIS node's storage end (the end of its last unit;
   * 0 if none). A replica's storage learns committed data a little after the stream's owner
   * acknowledged it, so a reader must not take a missing range for an empty one: it compares this
   * with the committed tail it got from the owner and waits while the local copy is behind.
   * {@link Long#MAX_VALUE} means "always complete" (a store that is the only copy).
   */
  default long storedEnd(long storeId) {
    return Long.MAX_VALUE;
  }

  /**
   * Why writes to this storage would fail right now, when it knows they would: a
   * {@link StorageFullException} (too little free space), or another exception (a storage failure
   * it is recovering from by itself). Empty when writes may succeed. Cheap (no IO, no locks), so a
   * gateway may ask before every write and answer at once instead of sending a write that cannot
   * succeed through the journal (where a failed write restarts the stream's entity).
   */
  default Optional<RuntimeException> writeBlocker() {
    return Optional.empty();
  }
}
