package dev.sluice.persistence.rocksdb;

import dev.sluice.persistence.store.StorageException;

/**
 * A local storage operation failed (RocksDB error, closed storage, full write queue). Futures of
 * writes fail with it when it is uncertain whether the data was stored; the journal contract then
 * makes the persistent entity stop and recover, and recovery decides the outcome.
 *
 * <p>Immutable.
 */
public class RocksDbStorageException extends StorageException {
  private static final long serialVersionUID = 1L;

  public RocksDbStorageException(String message) {
    super(message);
  }

  public RocksDbStorageException(String message, Throwable cause) {
    super(message, cause);
  }
}
