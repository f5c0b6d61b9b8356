package dev.sluice.http;

/**
 * The node cannot take this request now (its request-body budget is spent); nothing was done, so
 * the client may simply retry later. Maps to 503 with {@code Retry-After}.
 */
final class OverloadedException extends RuntimeException {
  OverloadedException() {
    super("request bodies in flight use the node's whole body budget; retry later", null, false, false);
  }
}
