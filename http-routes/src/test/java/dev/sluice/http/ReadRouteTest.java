package dev.sluice.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Catch-up {@code GET} (checklist §9, §12, §13), {@code HEAD} (§8) and {@code DELETE} (§7). */
class ReadRouteTest extends RouteTestBase {
  @Test
  void catchUpReturnsTheBytesWithExactContentTypeAndHeaders() {
    String path = created("read", "text/plain", "test data");
    HttpResponse<String> r = get(path);
    assertEquals(200, r.statusCode());
    assertEquals("text/plain", header(r, "Content-Type"));
    assertEquals("test data", r.body());
    assertEquals("0000000000000000_0000000000000009", header(r, "Stream-Next-Offset"));
    assertEquals("true", header(r, "Stream-Up-To-Date"));
    assertNotNull(header(r, "ETag"));
    assertNull(header(r, "Stream-Closed"));
    assertNull(header(r, "Stream-Cursor"));
  }

  @Test
  void minusOneAndNoOffsetAreTheSameAndUnknownParametersAreIgnored() {
    String path = created("same", "text/plain", "abc");
    HttpResponse<String> a = get(path);
    HttpResponse<String> b = get(path + "?offset=-1&foo=bar");
    assertEquals(a.body(), b.body());
    assertEquals(header(a, "Stream-Next-Offset"), header(b, "Stream-Next-Offset"));
  }

  @Test
  void readingFromAnOffsetReturnsOnlyLaterData() {
    String path = created("from", "text/plain", "abc");
    String mid = header(get(path), "Stream-Next-Offset");
    assertEquals(204, post(path, "text/plain", "def").statusCode());
    HttpResponse<String> r = get(path + "?offset=" + mid);
    assertEquals("def", r.body());
    HttpResponse<String> tail = get(path + "?offset=" + header(r, "Stream-Next-Offset"));
    assertEquals(200, tail.statusCode());
    assertEquals("", tail.body());
    assertEquals(header(r, "Stream-Next-Offset"), header(tail, "Stream-Next-Offset"));
    assertEquals("true", header(tail, "Stream-Up-To-Date"));
  }

  @Test
  void jsonStreamsReadAsOneArray() {
    String path = created("json", "application/json", null);
    HttpResponse<String> empty = get(path);
    assertEquals("[]", empty.body());
    assertEquals("application/json", header(empty, "Content-Type"));
    post(path, "application/json", "{\"a\":1}");
    post(path, "application/json", "[2,[3,4]]");
    assertEquals("[{\"a\":1},2,[3,4]]", get(path).body());
  }

  @Test
  void offsetNowIsAnEmptyUncachedTailResponse() {
    String json = created("now-json", "application/json", "[1,2]");
    HttpResponse<String> r = get(json + "?offset=now");
    assertEquals(200, r.statusCode());
    assertEquals("[]", r.body());
    assertEquals(header(get(json), "Stream-Next-Offset"), header(r, "Stream-Next-Offset"));
    assertEquals("true", header(r, "Stream-Up-To-Date"));
    assertEquals("no-store", header(r, "Cache-Control"));
    assertNull(header(r, "ETag"));
    assertNull(header(r, "Stream-Closed"));

    String text = created("now-text", "text/plain", "abc");
    assertEquals("", get(text + "?offset=now").body());
    post(text, null, null, "Stream-Closed", "true");
    assertEquals("true", header(get(text + "?offset=now"), "Stream-Closed"));
    assertEquals(404, get(unique("now-missing") + "?offset=now").statusCode());
  }

  @ParameterizedTest
  @ValueSource(strings = {"?offset=", "?offset=-1&offset=-1", "?offset=0_0,1", "?offset=0_0%201", "?offset=..%2Fx",
      "?offset=0_0%00", "?offset=0_0%0D%0A", "?offset=abc"})
  void malformedOffsetsAre400(String query) {
    String path = created("bad-offset", "text/plain", "x");
    HttpResponse<String> r = get(path + query);
    assertEquals(400, r.statusCode(), query);
    assertSecurityHeaders(r);
  }

  @Test
  void anOffsetBeyondTheTailIsAnEmptyUpToDateRead() {
    String path = created("beyond", "text/plain", "x");
    HttpResponse<String> r = get(path + "?offset=9999999999999999_9999999999999999");
    assertEquals(200, r.statusCode());
    assertEquals("", r.body());
    assertEquals("true", header(r, "Stream-Up-To-Date"));
  }

  @Test
  void matchingIfNoneMatchIs304AndNewDataChangesTheEtag() {
    String path = created("etag", "text/plain", "v1");
    String etag = header(get(path), "ETag");
    HttpResponse<String> notModified = get(path, "If-None-Match", etag);
    assertEquals(304, notModified.statusCode());
    assertEquals(etag, header(notModified, "ETag"));
    assertEquals("", notModified.body());
    assertSecurityHeaders(notModified);
    assertEquals(200, get(path, "If-None-Match", "\"something-else\"").statusCode());
    post(path, "text/plain", "v2");
    HttpResponse<String> changed = get(path, "If-None-Match", etag);
    assertEquals(200, changed.statusCode());
    assertNotEquals(etag, header(changed, "ETag"));
  }

  @Test
  void closingChangesTheEtagEvenWithoutNewData() {
    String path = created("etag-close", "text/plain", "v1");
    String open = header(get(path), "ETag");
    post(path, null, null, "Stream-Closed", "true");
    HttpResponse<String> closed = get(path, "If-None-Match", open);
    assertEquals(200, closed.statusCode());
    assertTrue(header(closed, "ETag").endsWith(":c\""), header(closed, "ETag"));
    assertEquals("true", header(closed, "Stream-Closed"));
  }

  @Test
  void binaryDataPaginatesByteExactlyAndOnlyTheFinalChunkOfAClosedStreamSaysClosed() {
    String path = created("paginate", "application/octet-stream", null);
    var expected = new ByteArrayOutputStream();
    for (int i = 0; i < 10; i++) {
      byte[] unit = new byte[40];
      for (int j = 0; j < unit.length; j++) unit[j] = (byte) (i * 40 + j);
      expected.writeBytes(unit);
      var r = send(request(path).header("Content-Type", "application/octet-stream").POST(BodyPublishers.ofByteArray(unit)));
      assertEquals(204, r.statusCode());
    }
    post(path, null, null, "Stream-Closed", "true");
    var got = new ByteArrayOutputStream();
    String offset = "-1";
    int pages = 0;
    while (true) {
      HttpResponse<byte[]> r = sendBytes(request(path + "?offset=" + offset).GET());
      assertEquals(200, r.statusCode());
      got.writeBytes(r.body());
      pages++;
      boolean last = "true".equals(header(r, "Stream-Up-To-Date"));
      assertEquals(last ? "true" : null, header(r, "Stream-Closed"), "closed only on the final chunk");
      assertEquals(last ? "no-cache" : ReadRoute.CACHEABLE, header(r, "Cache-Control"));
      String next = header(r, "Stream-Next-Offset");
      assertTrue(offset.equals("-1") || next.compareTo(offset) > 0, "offsets move forward");
      offset = next;
      if (last) break;
    }
    assertTrue(pages > 1, "read-chunk-bytes = 64 must paginate 400 bytes");
    assertArrayEquals(expected.toByteArray(), got.toByteArray());
  }

  @Test
  void everyGetRefreshesTtlButHeadDoesNot() {
    String path = created("touch", "text/plain", "x");
    gateway.views.clear();
    head(path);
    get(path);
    get(path + "?offset=now");
    assertEquals(java.util.List.of(path + ":false", path + ":true", path + ":true"), gateway.views);
  }

  @Test
  void headReturnsMetadataWithoutBody() {
    String path = unique("head");
    put(path, "text/plain", "hello", "Stream-TTL", "3600");
    HttpResponse<String> r = head(path);
    assertEquals(200, r.statusCode());
    assertEquals("", r.body());
    assertEquals("text/plain", header(r, "Content-Type"));
    assertEquals("0000000000000000_0000000000000005", header(r, "Stream-Next-Offset"));
    assertEquals("3600", header(r, "Stream-TTL"));
    assertNull(header(r, "Stream-Expires-At"));
    assertNull(header(r, "Stream-Closed"));
    assertEquals("no-store", header(r, "Cache-Control"));

    String expiring = unique("head-exp");
    put(expiring, "text/plain", null, "Stream-Expires-At", "2099-01-01T00:00:00+01:00");
    assertEquals("2098-12-31T23:00:00Z", header(head(expiring), "Stream-Expires-At"));
    post(expiring, null, null, "Stream-Closed", "true");
    assertEquals("true", header(head(expiring), "Stream-Closed"));
    assertEquals(404, head(unique("head-missing")).statusCode());
  }

  @Test
  void deleteIs204ThenTheStreamIsGoneAndMissingStreamsAre404() {
    String path = created("delete", "text/plain", "x");
    assertEquals(204, delete(path).statusCode());
    assertEquals(404, get(path).statusCode());
    assertEquals(404, head(path).statusCode());
    HttpResponse<String> again = delete(path);
    assertEquals(404, again.statusCode());
    assertSecurityHeaders(again);
  }

  @Test
  void aSoftDeletedSourceIs410AndItsPathCannotBeRecreated() {
    String src = created("soft-src", "text/plain", "abc");
    String fork = unique("soft-fork");
    assertEquals(201, put(fork, null, null, "Stream-Forked-From", StreamPaths.ROOT + src).statusCode());
    assertEquals(204, delete(src).statusCode());
    assertEquals(410, get(src).statusCode());
    assertEquals(410, head(src).statusCode());
    assertEquals(410, post(src, "text/plain", "x").statusCode());
    assertEquals(410, delete(src).statusCode());
    assertEquals(409, put(src, "text/plain", null).statusCode());
    assertEquals("abc", get(fork).body());
  }
}
