package dev.sluice.actors.api;

/**
 * The stream's entity did not answer in time or its journal failed: the outcome of a write is
 * unknown, so the client should retry (idempotent producers make the retry safe). Maps to 503.
 */
public final class StreamUnavailableException extends RuntimeException {
  public StreamUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
