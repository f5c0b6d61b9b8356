package dev.sluice.bench.scenario;

/** A scenario could not prepare the server (create or fill its streams); the message says which requests failed and how. */
public final class SetupException extends Exception {
  SetupException(String message) {
    super(message);
  }
}
