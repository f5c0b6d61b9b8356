package dev.sluice.core.spi;

/**
 * Implemented by journal events that end a stream incarnation. The journal plugin deletes every
 * data record of {@link #purgedStoreId()} in the same synced batch as the event, so a crash can
 * never leave a purged stream's bytes behind nor purge bytes of a stream that still exists.
 */
public interface PurgesData {
  long purgedStoreId();
}
