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

  // ---------------------------------------------------------------- body framing (raw bytes)

  private static String postHead(String path, String framing) {
    return "POST " + StreamPaths.ROOT + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n" + framing + "\r\n";
  }

  @ParameterizedTest
  @ValueSource(strings = {"POST", "PUT"})
  void aBodyShorterThanItsContentLengthIs400AndWritesNothing(String method) {
    String path = created("truncated", "text/plain", "kept");
    String target = method.equals("PUT") ? unique("truncated-new") : path;
    RawResponse r = rawExchange(method + " " + StreamPaths.ROOT + target + " HTTP/1.1\r\nHost: x\r\n"
        + "Content-Type: text/plain\r\nContent-Length: 100\r\n\r\nabc", true);
    assertEquals(400, r.status(), r.head() + r.body());
    assertTrue(r.head().contains("nosniff"), r.head());
    assertEquals("kept", get(path).body());
    if (method.equals("PUT")) assertEquals(404, head(target).statusCode());
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "zz\r\nabc\r\n0\r\n\r\n",                 // chunk size not hex
      "-3\r\nabc\r\n0\r\n\r\n",                 // negative chunk size
      "3\r\nabcXX0\r\n\r\n",                      // chunk data not followed by CRLF
      "3\r\nabc\r\nzz\r\n0\r\n\r\n",             // a good chunk, then garbage
      "ffffffffffffffffff\r\nabc\r\n0\r\n\r\n",  // chunk size beyond a long
      "7fffffff\r\nabc\r\n0\r\n\r\n",           // chunk size above the parser's limit
      "10\r\nabc"})                             // truncated: the client stops sending
  void brokenChunkedFramingIs4xxAndWritesNothing(String chunks) {
    String path = created("chunked", "text/plain", "kept");
    RawResponse r = rawExchange(postHead(path, "Transfer-Encoding: chunked\r\n") + chunks, true);
    assertClientError(r.status(), chunks);
    assertTrue(r.head().contains("nosniff"), r.head());
    assertEquals("kept", get(path).body());
  }

  @Test
  void aFramingErrorOnAKeptOpenConnectionStillGetsItsAnswer() {
    String path = created("chunked-open", "text/plain", "kept");
    RawResponse r = rawExchange(postHead(path, "Transfer-Encoding: chunked\r\n") + "3\r\nabc\r\nzz\r\n", false);
    assertEquals(400, r.status(), r.head() + r.body());
    assertEquals("kept", get(path).body());
  }

  // ---------------------------------------------------------------- request line (parsed before any route)

  @ParameterizedTest
  @ValueSource(strings = {"BREW", "get", "PRI", "M-SEARCH"})
  void unknownMethodsAre405NotThe501OfPekko(String method) {
    RawResponse r = rawExchange(method + " " + StreamPaths.ROOT + unique("method") + " HTTP/1.1\r\nHost: x\r\n\r\n", true);
    assertEquals(405, r.status(), r.head() + r.body());
    assertTrue(r.head().contains("Allow: GET, POST, PUT, DELETE, HEAD, OPTIONS"), r.head());
    assertTrue(r.head().contains("nosniff"), r.head());
  }

  @ParameterizedTest
  @ValueSource(strings = {"HTTP/1.2", "HTTP/2.0", "HTTP/3.0", "HTTP/9.9"})
  void unsupportedHttpVersionsAre400NotThe505OfPekko(String version) {
    RawResponse r = rawExchange("GET " + StreamPaths.ROOT + unique("version") + " " + version + "\r\nHost: x\r\n\r\n", true);
    assertEquals(400, r.status(), r.head() + r.body());
    assertTrue(r.head().contains("nosniff"), r.head());
  }

  // ---------------------------------------------------------------- paths (checklist §0 "URL layout")

  @ParameterizedTest
  @ValueSource(strings = {"a//b", "a/", "/a", "a%2F", "a%00b", "a%0Ab", "a%FFb", "%C0%AF", "a%2F..%2Fb"})
  void pathsThatAliasOrCarryBadBytesAre400ForEveryMethod(String name) {
    for (String method : new String[] {"PUT", "POST", "GET", "HEAD", "DELETE"}) {
      String body = method.equals("PUT") || method.equals("POST") ? "Content-Type: text/plain\r\nContent-Length: 1\r\n\r\nx" : "\r\n";
      RawResponse r = rawExchange(method + " " + StreamPaths.ROOT + name + " HTTP/1.1\r\nHost: x\r\n" + body, true);
      assertEquals(400, r.status(), method + " " + name + ": " + r.head() + r.body());
      assertTrue(r.head().contains("nosniff"), r.head());
    }
  }

  @Test
  void overlongPathsAre414() {
    RawResponse r = rawExchange("PUT " + StreamPaths.ROOT + "a".repeat(5000) + " HTTP/1.1\r\nHost: x\r\n"
        + "Content-Length: 0\r\n\r\n", true);
    assertEquals(414, r.status(), r.head() + r.body());
  }

  @ParameterizedTest
  @ValueSource(strings = {"a%zz", "a%", "a%F", "a\u0001b", "a b", "a\"b"})
  void unparseablePathsAre400(String name) {
    RawResponse r = rawExchange("GET " + StreamPaths.ROOT + name + " HTTP/1.1\r\nHost: x\r\n\r\n", true);
    assertClientError(r.status(), name);
  }

  /**
   * RFC 9112 §6.1: Transfer-Encoding on an HTTP/1.0 request is faulty framing: 400, then close.
   * pekko-http 1.3.0 frames a chunked one as chunked and then fails building the request model
   * outside every handler Sluice can install (a 500); {@link Http10TransferEncodingGuard} answers
   * first. Nothing of the request is stored.
   */
  @ParameterizedTest
  @ValueSource(strings = {"chunked", "gzip, chunked", "gzip", "identity"})
  void transferEncodingOnAnHttp10RequestIs400(String codings) {
    String path = created("http10-te", "text/plain", "kept");
    String body = codings.endsWith("chunked") ? "3\r\nabc\r\n0\r\n\r\n" : "abc";
    String length = codings.endsWith("chunked") ? "" : "Content-Length: 3\r\n";
    RawResponse r = rawExchange("POST " + StreamPaths.ROOT + path + " HTTP/1.0\r\nHost: x\r\nContent-Type: text/plain\r\n"
        + "Transfer-Encoding: " + codings + "\r\n" + length + "\r\n" + body, true);
    assertEquals(400, r.status(), codings + ": " + r.head() + r.body());
    assertTrue(r.body().contains("Transfer-Encoding"), r.body());
    assertTrue(r.head().contains("nosniff"), r.head());
    assertTrue(r.head().toLowerCase().contains("connection: close"), r.head());
    assertEquals("kept", get(path).body());
  }

  /** Requests pipelined before the refused one are answered first, and only they are stored. */
  @Test
  void pipelinedRequestsBeforeARefusedOneAreServed() throws IOException {
    String path = created("http10-pipelined", "text/plain", "a");
    String append = "POST " + StreamPaths.ROOT + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
        + "Transfer-Encoding: chunked\r\n\r\n1\r\nb\r\n0\r\n\r\n";
    String refused = "POST " + StreamPaths.ROOT + path + " HTTP/1.0\r\nHost: x\r\nContent-Type: text/plain\r\n"
        + "Transfer-Encoding: chunked\r\n\r\n1\r\nc\r\n0\r\n\r\n";
    URI u = URI.create(base);
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(u.getHost(), u.getPort()), 5_000);
      s.setSoTimeout(10_000);
      s.getOutputStream().write((append + refused + append).getBytes(StandardCharsets.ISO_8859_1));
      s.shutdownOutput();
      InputStream in = s.getInputStream();
      assertEquals(204, readResponse(in).status());
      RawResponse second = readResponse(in);
      assertEquals(400, second.status(), second.head() + second.body());
      assertEquals(-1, in.read(), "the connection closes after the 400");
    }
    assertEquals("ab", get(path).body());
  }
}
