package dev.sluice.bench.http;

/** The server sent bytes that are not a well-formed HTTP/1.1 response. */
public final class HttpParseException extends Exception {
  public HttpParseException(String message) {
    super(message);
  }
}
