package dev.sluice.core.spi;

import dev.sluice.core.Bytes;

/**
 * Implemented by journal events that carry stream data. The journal plugin writes, in the same
 * synced batch as the event itself, a data record {@code (storeId, position) -> data} so that
 * readers can seek by offset without replaying the stream through its actor (docs/architecture.md,
 * "Data is read back by offset").
 */
public interface IndexedData {
  long storeId();

  long position();

  Bytes data();
}
