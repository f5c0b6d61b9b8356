package dev.sluice.persistence.replicated;

import dev.sluice.persistence.store.StorageException;

/**
 * A write that was definitely not stored: refused before it was appended (it does not continue the
 * stream), or rejected by the stream's writer (it no longer owns the stream). Unlike a plain
 * {@link StorageException} the outcome is known; the journal still fails the write, and the entity
 * stops and recovers either way. Immutable.
 */
public final class NotStoredException extends StorageException {
  private static final long serialVersionUID = 1L;

  public NotStoredException(String message) {
    super(message);
  }

  public NotStoredException(String message, Throwable cause) {
    super(message, cause);
  }
}
