package dev.sluice.core.spi;

/**
 * A write was refused because the node's storage has too little free space; NOTHING of it was
 * stored, so a retry is safe and needed. Reads are unaffected. Writes are accepted again as soon as
 * enough space is free (the storage checks by itself; no restart). Maps to 507 Insufficient Storage.
 *
 * <p>Immutable.
 */
public final class StorageFullException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public StorageFullException(String message) {
    super(message);
  }
}
