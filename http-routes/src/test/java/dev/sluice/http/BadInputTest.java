package dev.sluice.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Whatever a client sends, the answer is never a 5xx (issue "reliability", item 6): malformed
 * protocol headers, query parameters, paths and body framing each get a 4xx with a message, or the
 * connection is closed. The raw-socket cases send bytes no well-behaved HTTP client would.
 */
class BadInputTest extends RouteTestBase {

  /** The status line and body of the first response to {@code request}, sent as raw bytes. */
  record RawResponse(int status, String head, String body) {}

  /**
   * Sends {@code request} on a fresh connection, optionally half-closing it (the client stops
   * sending: a truncated body then ends early), and reads the first response.
   */
  static RawResponse rawExchange(byte[] request, boolean halfClose) {
    URI u = URI.create(base);
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(u.getHost(), u.getPort()), 5_000);
      s.setSoTimeout(10_000);
      s.getOutputStream().write(request);
      s.getOutputStream().flush();
      if (halfClose) s.shutdownOutput();
      return readResponse(s.getInputStream());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static RawResponse rawExchange(String request, boolean halfClose) {
    return rawExchange(request.getBytes(StandardCharsets.ISO_8859_1), halfClose);
  }

  /** Reads one response: headers, then Content-Length bytes of body (or up to EOF). */
  private static RawResponse readResponse(InputStream in) throws IOException {
    var buf = new ByteArrayOutputStream();
    int headEnd = -1;
    while (headEnd < 0) {
      int b = in.read();
      if (b < 0) throw new IOException("connection closed before a response: " + buf);
      buf.write(b);
      byte[] a = buf.toByteArray();
      int n = a.length;
      if (n >= 4 && a[n - 4] == '\r' && a[n - 3] == '\n' && a[n - 2] == '\r' && a[n - 1] == '\n') headEnd = n;
    }
    String head = buf.toString(StandardCharsets.ISO_8859_1);
    int status = Integer.parseInt(head.substring(9, 12));
    long length = 0;
    for (String line : head.split("\r\n")) {
      if (line.toLowerCase().startsWith("content-length:")) length = Long.parseLong(line.substring(15).trim());
    }
    var body = new ByteArrayOutputStream();
    try {
      for (long i = 0; i < length; i++) {
        int b = in.read();
        if (b < 0) break;
        body.write(b);
      }
    } catch (SocketTimeoutException e) {
      // a short body is still a response
    }
    return new RawResponse(status, head, body.toString(StandardCharsets.UTF_8));
  }

  static void assertClientError(int status, String what) {
    assertTrue(status >= 400 && status < 500, what + ": expected a 4xx, got " + status);
  }

  // ---------------------------------------------------------------- producer headers (checklist §5)

  @ParameterizedTest
  @ValueSource(strings = {"9999999999999999999", "9223372036854775808", "18446744073709551616", "-9223372036854775808"})
  void producerNumbersBeyondALongAre400(String v) {
    String path = created("producer-huge", "text/plain", null);
    var epoch = post(path, "text/plain", "x", "Producer-Id", "p", "Producer-Epoch", v, "Producer-Seq", "0");
    assertEquals(400, epoch.statusCode(), epoch.body());
    assertSecurityHeaders(epoch);
    var seq = post(path, "text/plain", "x", "Producer-Id", "p", "Producer-Epoch", "0", "Producer-Seq", v);
    assertEquals(400, seq.statusCode(), seq.body());
  }
}
