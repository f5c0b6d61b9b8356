package dev.sluice.persistence.store;

/**
 * A storage operation failed, whatever the implementation behind the store contracts. Futures of
 * writes fail with it when it is uncertain whether the data was stored; the journal contract then
 * makes the persistent entity stop and recover, and recovery decides the outcome.
 *
 * <p>The base of {@link CorruptRecordException} (bytes on disk are wrong) and of each
 * implementation's own failures, such as {@code RocksDbStorageException}.
 *
 * <p>Immutable.
 */
public class StorageException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public StorageException(String message) {
    super(message);
  }

  public StorageException(String message, Throwable cause) {
    super(message, cause);
  }
}
