package dev.sluice.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code POST}: append, close, idempotent producers, and the HTTP-side error precedence (checklist §4-§6). */
class AppendRouteTest extends RouteTestBase {
  private static String[] producer(String id, String epoch, String seq) {
    return new String[] {"Producer-Id", id, "Producer-Epoch", epoch, "Producer-Seq", seq};
  }

  @Test
  void plainAppendIs204WithTheNewTail() {
    String path = created("append", "text/plain", null);
    HttpResponse<String> r = post(path, "text/plain", "hello");
    assertEquals(204, r.statusCode());
    assertEquals("0000000000000000_0000000000000005", header(r, "Stream-Next-Offset"));
    assertNull(header(r, "Stream-Closed"));
    assertEquals("hello", get(path).body());
  }

  @Test
  void emptyBodyWithoutCloseIs400() {
    String path = created("empty", "text/plain", null);
    assertEquals(400, post(path, "text/plain", null).statusCode());
    assertEquals(400, post(path, "text/plain", "", "Stream-Closed", "false").statusCode());
  }

  @Test
  void bodyWithoutContentTypeIs400EvenOnAnOctetStream() {
    String text = created("no-ct", "text/plain", null);
    assertEquals(400, post(text, null, "data").statusCode());
    String binary = created("no-ct-bin", "application/octet-stream", null);
    assertEquals(400, post(binary, null, "data").statusCode());
    // An explicit application/octet-stream is a Content-Type (Pekko's default must not hide it).
    assertEquals(204, post(binary, "application/octet-stream", "data").statusCode());
  }

  @Test
  void malformedContentTypeCountsAsAbsent() {
    String path = created("bad-ct", "text/plain", null);
    assertEquals(400, post(path, "not a type", "data").statusCode());
  }

  @Test
  void contentTypeIsComparedNormalized() {
    String path = created("ct-match", "text/plain", null);
    assertEquals(204, post(path, "TEXT/PLAIN; charset=utf-8", "a").statusCode());
    HttpResponse<String> mismatch = post(path, "application/json", "{}");
    assertEquals(409, mismatch.statusCode());
    assertSecurityHeaders(mismatch);
  }

  @Test
  void missingStreamIs404() {
    assertEquals(404, post(unique("missing"), "text/plain", "x").statusCode());
    assertEquals(404, post(unique("missing"), null, null, "Stream-Closed", "true").statusCode());
  }

  @Test
  void closeOnlyIs204WithStreamClosedAndIgnoresTheContentType() {
    String path = created("close", "text/plain", "abc");
    HttpResponse<String> r = post(path, "application/json", null, "Stream-Closed", "TRUE");
    assertEquals(204, r.statusCode());
    assertEquals("true", header(r, "Stream-Closed"));
    assertEquals("0000000000000000_0000000000000003", header(r, "Stream-Next-Offset"));
    assertEquals(204, post(path, null, null, "Stream-Closed", "true").statusCode(), "close is idempotent");
  }

  @Test
  void appendToAClosedStreamIs409WithClosedAndTheFinalOffset() {
    String path = created("closed", "text/plain", null);
    HttpResponse<String> close = post(path, "text/plain", "last", "Stream-Closed", "true");
    assertEquals(204, close.statusCode());
    assertEquals("true", header(close, "Stream-Closed"));
    HttpResponse<String> r = post(path, "text/plain", "more");
    assertEquals(409, r.statusCode());
    assertEquals("true", header(r, "Stream-Closed"));
    assertEquals("0000000000000000_0000000000000004", header(r, "Stream-Next-Offset"));
    assertSecurityHeaders(r);
  }

  @Test
  void producerAppendsAre200WithProducerHeadersAndDuplicatesAre204() {
    String path = created("producer", "text/plain", null);
    HttpResponse<String> first = post(path, "text/plain", "a", producer("p1", "0", "0"));
    assertEquals(200, first.statusCode());
    assertEquals("0", header(first, "Producer-Epoch"));
    assertEquals("0", header(first, "Producer-Seq"));
    assertEquals("0000000000000000_0000000000000001", header(first, "Stream-Next-Offset"));
    assertEquals(200, post(path, "text/plain", "b", producer("p1", "0", "1")).statusCode());
    HttpResponse<String> dup = post(path, "text/plain", "a", producer("p1", "0", "0"));
    assertEquals(204, dup.statusCode());
    assertEquals("1", header(dup, "Producer-Seq"), "highest accepted seq, not the request's");
    assertEquals("ab", get(path).body());
  }

  @Test
  void staleEpochIs403WithTheCurrentEpoch() {
    String path = created("stale", "text/plain", null);
    assertEquals(200, post(path, "text/plain", "a", producer("p", "2", "0")).statusCode());
    HttpResponse<String> r = post(path, "text/plain", "z", producer("p", "1", "0"));
    assertEquals(403, r.statusCode());
    assertEquals("2", header(r, "Producer-Epoch"));
  }

  @Test
  void sequenceGapIs409WithExpectedAndReceived() {
    String path = created("gap", "text/plain", null);
    assertEquals(200, post(path, "text/plain", "a", producer("p", "0", "0")).statusCode());
    HttpResponse<String> r = post(path, "text/plain", "c", producer("p", "0", "2"));
    assertEquals(409, r.statusCode());
    assertEquals("1", header(r, "Producer-Expected-Seq"));
    assertEquals("2", header(r, "Producer-Received-Seq"));
    assertEquals(400, post(path, "text/plain", "x", producer("p", "1", "1")).statusCode(), "new epoch must start at 0");
  }

  @Test
  void producerCloseOnlyIs204AndItsRetryToo() {
    String path = created("pclose", "text/plain", null);
    assertEquals(200, post(path, "text/plain", "a", producer("p", "0", "0")).statusCode());
    HttpResponse<String> close = post(path, null, null, concat(producer("p", "0", "1"), "Stream-Closed", "true"));
    assertEquals(204, close.statusCode());
    assertEquals("true", header(close, "Stream-Closed"));
    assertEquals("1", header(close, "Producer-Seq"));
    HttpResponse<String> appendClose = post(created("pclose2", "text/plain", null), "text/plain", "fin",
        concat(producer("q", "0", "0"), "Stream-Closed", "true"));
    assertEquals(200, appendClose.statusCode());
    assertEquals("true", header(appendClose, "Stream-Closed"));
  }

  @Test
  void partialOrInvalidProducerHeadersAre400BeforeAnythingElse() {
    String missing = unique("never-created");
    assertEquals(400, post(missing, "text/plain", "a", "Producer-Id", "p").statusCode());
    assertEquals(400, post(missing, "text/plain", "a", producer("", "0", "0")).statusCode());
    assertEquals(400, post(missing, "text/plain", "a", producer("p", "1e3", "0")).statusCode());
    assertEquals(400, post(missing, "text/plain", "a", producer("p", "0", "-1")).statusCode());
  }

  @Test
  void jsonBodiesAreValidatedAndFlattened() {
    String path = created("json", "application/json", null);
    assertEquals(400, post(path, "application/json", "[]").statusCode());
    assertEquals(400, post(path, "application/json", "{oops").statusCode());
    assertEquals(204, post(path, "application/json", "[1,{\"a\":[2]}]").statusCode());
    assertEquals(204, post(path, "application/json", "\"s\"").statusCode());
    assertEquals("[1,{\"a\":[2]},\"s\"]", get(path).body());
  }

  @Test
  void streamSeqRegressionIs409() {
    String path = created("seq", "text/plain", null);
    assertEquals(204, post(path, "text/plain", "a", "Stream-Seq", "09").statusCode());
    assertEquals(204, post(path, "text/plain", "b", "Stream-Seq", "10").statusCode());
    assertEquals(409, post(path, "text/plain", "c", "Stream-Seq", "10").statusCode());
    assertEquals(409, post(path, "text/plain", "c", "Stream-Seq", "09").statusCode());
    assertEquals(204, post(path, "text/plain", "d", "Stream-Seq", "2").statusCode(), "byte-wise: \"2\" > \"10\"");
  }

  @Test
  void bodiesOverTheLimitAre413() {
    String path = created("limit", "text/plain", null);
    HttpResponse<String> r = post(path, "text/plain", "x".repeat(1025));
    assertEquals(413, r.statusCode());
    assertSecurityHeaders(r);
    assertEquals(204, post(path, "text/plain", "x".repeat(1024)).statusCode());
  }

  @ParameterizedTest
  @ValueSource(ints = {10, 1024})
  void chunkedBodiesAreAccepted(int size) {
    String path = created("chunked", "text/plain", null);
    byte[] data = "y".repeat(size).getBytes(StandardCharsets.UTF_8);
    var r = send(request(path).header("Content-Type", "text/plain")
        .POST(BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(data))));
    assertEquals(204, r.statusCode());
    assertEquals(size, get(path).body().length());
  }

  @Test
  void chunkedBodiesOverTheLimitAre413() {
    String path = created("chunked-big", "text/plain", null);
    byte[] data = new byte[5000];
    var r = send(request(path).header("Content-Type", "text/plain")
        .POST(BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(data))));
    assertEquals(413, r.statusCode());
    assertSecurityHeaders(r);
  }

  private static String[] concat(String[] a, String... b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
