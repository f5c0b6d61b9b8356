package dev.sluice.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code PUT}: create, idempotent re-create, fork (checklist §2, §3). */
class CreateRouteTest extends RouteTestBase {
  private static final String ZERO = "0000000000000000_0000000000000000";

  @Test
  void createAnswers201WithAbsoluteLocationContentTypeAndTail() {
    String path = unique("create");
    HttpResponse<String> r = put(path, "text/plain", "hello");
    assertEquals(201, r.statusCode());
    String location = header(r, "Location");
    assertTrue(URI.create(location).isAbsolute(), location);
    assertTrue(location.endsWith(StreamPaths.ROOT + path), location);
    assertEquals("text/plain", header(r, "Content-Type"));
    assertEquals("0000000000000000_0000000000000005", header(r, "Stream-Next-Offset"));
    assertNull(header(r, "Stream-Closed"));
  }

  @Test
  void idempotentCreateAnswers200WithoutLocationAndConflictingConfigAnswers409() {
    String path = created("idem", "text/plain", null);
    HttpResponse<String> same = put(path, "TEXT/PLAIN", null);
    assertEquals(200, same.statusCode());
    assertNull(header(same, "Location"));
    assertEquals("text/plain", header(same, "Content-Type"));
    assertEquals(ZERO, header(same, "Stream-Next-Offset"));
    assertEquals(409, put(path, "application/json", null).statusCode());
    assertEquals(409, put(path, "text/plain", null, "Stream-TTL", "60").statusCode());
    assertEquals(409, put(path, "text/plain", null, "Stream-Closed", "true").statusCode());
  }

  @Test
  void withoutContentTypeTheDefaultIsUsed() {
    HttpResponse<String> r = put(unique("no-ct"), null, null);
    assertEquals(201, r.statusCode());
    assertEquals("application/octet-stream", header(r, "Content-Type"));
    assertNull(gateway.creates.get(gateway.creates.size() - 1).contentType());
  }

  @Test
  void aBodyWithoutContentTypeStillCountsAsNoContentType() {
    HttpResponse<String> r = put(unique("no-ct-body"), null, "raw");
    assertEquals(201, r.statusCode());
    assertNull(gateway.creates.get(gateway.creates.size() - 1).contentType());
  }

  @Test
  void contentTypeIsEchoedExactlyWithoutCharset() {
    for (String ct : new String[] {"application/json", "text/plain", "application/x-protobuf", "text/event-stream"}) {
      HttpResponse<String> r = put(unique("ct"), ct, null);
      assertEquals(ct, header(r, "Content-Type"));
    }
  }

  @Test
  void createClosedSaysSo() {
    HttpResponse<String> r = put(unique("closed"), "text/plain", "final", "Stream-Closed", "true");
    assertEquals(201, r.statusCode());
    assertEquals("true", header(r, "Stream-Closed"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"+60", "00060", "60.5", "1e3", "abc", "-1"})
  void invalidTtlIs400(String ttl) {
    HttpResponse<String> r = put(unique("ttl"), "text/plain", null, "Stream-TTL", ttl);
    assertEquals(400, r.statusCode());
    assertSecurityHeaders(r);
  }

  @Test
  void expiryHeadersAreValidated() {
    assertEquals(201, put(unique("exp"), "text/plain", null, "Stream-Expires-At", "2099-01-01T00:00:00Z").statusCode());
    assertEquals(201, put(unique("exp"), "text/plain", null, "Stream-Expires-At", "2099-01-01T00:00:00+05:00").statusCode());
    assertEquals(400, put(unique("exp"), "text/plain", null, "Stream-Expires-At", "not-a-date").statusCode());
    assertEquals(400, put(unique("exp"), "text/plain", null, "Stream-Expires-At", "2099-02-30T00:00:00Z").statusCode());
    // The routes' clock says 2024-10-09T01:00:00Z (RouteTestBase.NOW).
    String past = unique("exp-past");
    HttpResponse<String> r = put(past, "text/plain", null, "Stream-Expires-At", "2024-10-09T00:59:59Z");
    assertEquals(400, r.statusCode());
    assertTrue(r.body().contains("past"), r.body());
    assertEquals(404, head(past).statusCode());
    assertEquals(400, put(unique("exp"), "text/plain", null,
        "Stream-TTL", "60", "Stream-Expires-At", "2099-01-01T00:00:00Z").statusCode());
  }

  @Test
  void jsonInitialBodyIsValidated() {
    assertEquals(201, put(unique("json"), "application/json", "[]").statusCode());
    assertEquals(400, put(unique("json"), "application/json", "{nope").statusCode());
  }

  @Test
  void bodiesOverTheLimitAre413() {
    HttpResponse<String> r = put(unique("big"), "text/plain", "x".repeat(2000));
    assertEquals(413, r.statusCode());
    assertSecurityHeaders(r);
  }

  @Test
  void forkWithoutContentTypeInheritsTheSourceType() {
    String src = created("fork-src", "application/json", "[{\"k\":1}]");
    HttpResponse<String> r = put(unique("fork"), null, null, "Stream-Forked-From", StreamPaths.ROOT + src);
    assertEquals(201, r.statusCode());
    assertEquals("application/json", header(r, "Content-Type"));
    assertNull(header(r, "Stream-Forked-From"));
    assertNull(header(r, "Stream-Fork-Offset"));
  }

  @Test
  void forkWithABodyButNoContentTypeInheritsToo() {
    String src = created("fork-src2", "text/plain", "abc");
    String fork = unique("fork2");
    HttpResponse<String> r = put(fork, null, "def", "Stream-Forked-From", StreamPaths.ROOT + src);
    assertEquals(201, r.statusCode());
    assertEquals("text/plain", header(r, "Content-Type"));
    assertEquals("abcdef", get(fork).body());
  }

  @Test
  void forkHeaderErrorsAre400AndAMissingSourceIs404() {
    String src = created("fork-src3", "text/plain", "abc");
    String from = StreamPaths.ROOT + src;
    assertEquals(400, put(unique("f"), null, null, "Stream-Fork-Sub-Offset", "0").statusCode());
    assertEquals(400, put(unique("f"), null, null, "Stream-Forked-From", from, "Stream-Fork-Sub-Offset", "1").statusCode());
    assertEquals(400, put(unique("f"), null, null, "Stream-Forked-From", from, "Stream-Fork-Offset", "5").statusCode());
    assertEquals(400, put(unique("f"), null, null, "Stream-Forked-From", src).statusCode());
    assertEquals(400, put(unique("f"), null, null, "Stream-Forked-From", from,
        "Stream-Fork-Offset", "9999999999999999_9999999999999999").statusCode());
    assertEquals(404, put(unique("f"), null, null, "Stream-Forked-From", StreamPaths.ROOT + unique("nope")).statusCode());
    assertEquals(409, put(unique("f"), "application/json", null, "Stream-Forked-From", from).statusCode());
  }

  @Test
  void forkAtASubOffsetTakesThePrefixOfTheAnchorUnit() {
    String src = created("sub-src", "text/plain", "hello");
    String fork = unique("sub");
    HttpResponse<String> r = put(fork, null, null, "Stream-Forked-From", StreamPaths.ROOT + src,
        "Stream-Fork-Offset", ZERO, "Stream-Fork-Sub-Offset", "3");
    assertEquals(201, r.statusCode());
    assertEquals("hel", get(fork).body());
    HttpResponse<String> tail = get(fork + "?offset=" + header(r, "Stream-Next-Offset"));
    assertEquals("", tail.body());
    assertEquals("true", header(tail, "Stream-Up-To-Date"));
  }
}
