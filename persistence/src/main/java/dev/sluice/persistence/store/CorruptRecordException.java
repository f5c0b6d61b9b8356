package dev.sluice.persistence.store;

/**
 * A stored record failed its CRC32C check or has an unknown format. Never retried: the bytes on
 * disk are wrong, so the stream must be repaired (from a replica, once replication exists) rather
 * than read.
 *
 * <p>Immutable.
 */
public final class CorruptRecordException extends StorageException {
  private static final long serialVersionUID = 1L;

  public CorruptRecordException(String message) {
    super(message);
  }
}
