package dev.sluice.http;

/**
 * A request the routes reject with 400 before it reaches the gateway: malformed protocol headers
 * or query parameters (checklist §1, §2, §3, §5). An expected outcome, so it has no stack trace.
 */
final class BadRequestException extends RuntimeException {
  BadRequestException(String message) {
    super(message, null, false, false);
  }
}
