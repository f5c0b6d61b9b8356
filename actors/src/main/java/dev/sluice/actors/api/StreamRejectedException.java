package dev.sluice.actors.api;

import dev.sluice.core.error.Rejection;

/**
 * Completes a gateway future exceptionally with a protocol rejection (a 4xx, not a failure).
 * Carries no stack trace: it is an expected outcome on the hot path.
 */
public final class StreamRejectedException extends RuntimeException {
  private final Rejection rejection;

  public StreamRejectedException(Rejection rejection) {
    super(rejection.code() + ": " + rejection.detail(), null, false, false);
    this.rejection = rejection;
  }

  public Rejection rejection() {
    return rejection;
  }
}
