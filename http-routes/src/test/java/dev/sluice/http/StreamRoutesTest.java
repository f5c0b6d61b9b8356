package dev.sluice.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.actors.api.StreamUnavailableException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Cross-cutting behaviour: security/CORS headers everywhere, 404/405, OPTIONS, health, failures (checklist §0). */
class StreamRoutesTest extends RouteTestBase {
  private static HttpResponse<String> raw(String method, String path) {
    return send(HttpRequest.newBuilder(URI.create(base + path)).method(method, BodyPublishers.noBody()));
  }

  @Test
  void securityAndCorsHeadersAreOnSuccessfulResponses() {
    String path = unique("sec-ok");
    HttpResponse<String> put = put(path, "text/plain", "x");
    assertEquals(201, put.statusCode());
    assertSecurityHeaders(put);
    assertSecurityHeaders(post(path, "text/plain", "y"));
    assertSecurityHeaders(get(path));
    assertSecurityHeaders(head(path));
    assertSecurityHeaders(get(path + "?offset=-1&live=long-poll"));
    HttpResponse<String> r = delete(path);
    assertEquals(204, r.statusCode());
    assertSecurityHeaders(r);
  }

  @Test
  void securityHeadersAreOnErrorResponses() {
    HttpResponse<String> missing = get(unique("missing"));
    assertEquals(404, missing.statusCode());
    assertSecurityHeaders(missing);
    HttpResponse<String> bad = get(unique("bad") + "?offset=a,b");
    assertEquals(400, bad.statusCode());
    assertSecurityHeaders(bad);
    HttpResponse<String> unknownPath = raw("GET", "/nothing/here");
    assertEquals(404, unknownPath.statusCode());
    assertSecurityHeaders(unknownPath);
  }

  @Test
  void unsupportedMethodsAre405WithTheHeaders() {
    HttpResponse<String> r = raw("PATCH", StreamPaths.ROOT + unique("patch"));
    assertEquals(405, r.statusCode());
    assertSecurityHeaders(r);
    assertTrue(header(r, "Allow").contains("PUT"), header(r, "Allow"));
  }

  @Test
  void requestsPekkoCannotParseStillCarryTheSecurityHeaders() {
    HttpResponse<String> r = raw("BREW", StreamPaths.ROOT + unique("coffee"));
    assertTrue(r.statusCode() >= 400, "status " + r.statusCode());
    assertEquals("nosniff", header(r, "X-Content-Type-Options"));
    assertEquals("cross-origin", header(r, "Cross-Origin-Resource-Policy"));
  }

  @Test
  void optionsAnswersThePreflightIncludingIfNoneMatch() {
    HttpResponse<String> r = send(request(unique("preflight")).method("OPTIONS", BodyPublishers.noBody())
        .header("Origin", "https://app.example")
        .header("Access-Control-Request-Method", "GET")
        .header("Access-Control-Request-Headers", "if-none-match, stream-closed"));
    assertEquals(204, r.statusCode());
    assertSecurityHeaders(r);
    assertEquals("GET, POST, PUT, DELETE, HEAD, OPTIONS", header(r, "Access-Control-Allow-Methods"));
    String allowed = header(r, "Access-Control-Allow-Headers").toLowerCase();
    for (String h : new String[] {"content-type", "stream-ttl", "stream-expires-at", "stream-closed", "stream-seq",
        "stream-forked-from", "stream-fork-offset", "stream-fork-sub-offset", "producer-id", "producer-epoch",
        "producer-seq", "if-none-match"}) {
      assertTrue(allowed.contains(h), h + " in " + allowed);
    }
    String exposed = header(r, "Access-Control-Expose-Headers");
    for (String h : new String[] {"Stream-Next-Offset", "Stream-Cursor", "Stream-Up-To-Date", "Stream-Closed",
        "Producer-Epoch", "Producer-Seq", "Producer-Expected-Seq", "Producer-Received-Seq", "ETag", "Content-Type",
        "Content-Encoding", "Vary", "Location", "Stream-SSE-Data-Encoding"}) {
      assertTrue(exposed.contains(h), h + " in " + exposed);
    }
  }

  @Test
  void healthAnswersOk() {
    HttpResponse<String> r = raw("GET", "/health");
    assertEquals(200, r.statusCode());
    assertEquals("ok", r.body());
    assertSecurityHeaders(r);
  }

  @Test
  void healthReportsTheProbeAnswerEveryTime() throws Exception {
    java.util.concurrent.atomic.AtomicReference<List<String>> reasons = new java.util.concurrent.atomic.AtomicReference<>(List.of());
    var route = StreamRoutes.create(gateway, SETTINGS, java.time.InstantSource.fixed(NOW), reasons::get);
    var b = org.apache.pekko.http.javadsl.Http.get(system).newServerAt("127.0.0.1", 0).bind(route)
        .toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
    String health = "http://127.0.0.1:" + b.localAddress().getPort() + "/health";
    try {
      assertEquals(200, send(HttpRequest.newBuilder(URI.create(health)).GET()).statusCode());
      reasons.set(List.of("the journal is not open", "this node is shutting down"));
      HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(health)).GET());
      assertEquals(503, r.statusCode());
      assertEquals("not ready: the journal is not open\nthis node is shutting down", r.body());
      assertEquals("1", header(r, "Retry-After"));
      assertSecurityHeaders(r);
      reasons.set(List.of());
      assertEquals(200, send(HttpRequest.newBuilder(URI.create(health)).GET()).statusCode());
    } finally {
      b.unbind().toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"PUT", "GET", "POST", "HEAD", "DELETE"})
  void theReservedPrefixIsNeverAStream(String method) {
    HttpResponse<String> r = raw(method, StreamPaths.ROOT + "__ds/subscriptions/x");
    assertEquals(404, r.statusCode());
    assertSecurityHeaders(r);
    assertEquals(404, raw(method, StreamPaths.ROOT).statusCode());
  }

  @Test
  void streamPathsMayContainSlashesAndEncodedCharacters() {
    String path = unique("nested/a b/c");
    String encoded = path.replace(" ", "%20");
    assertEquals(201, put(encoded, "text/plain", "x").statusCode());
    assertEquals("x", get(encoded).body());
    assertTrue(gateway.creates.size() > 0);
    assertEquals(204, delete(encoded).statusCode());
  }

  @Test
  void unavailableGatewayIs503WithRetryAfter() {
    String path = created("unavailable", "text/plain", "x");
    gateway.failNext(new StreamUnavailableException("entity did not answer", null));
    HttpResponse<String> r = post(path, "text/plain", "y");
    assertEquals(503, r.statusCode());
    assertEquals("1", header(r, "Retry-After"));
    assertSecurityHeaders(r);
  }

  @Test
  void unexpectedFailuresAre500WithTheHeaders() {
    String path = created("boom", "text/plain", "x");
    gateway.failNext(new IllegalStateException("boom"));
    HttpResponse<String> r = get(path);
    assertEquals(500, r.statusCode());
    assertSecurityHeaders(r);
    assertNotNull(r.body());
  }

  @Test
  void headerNamesAreCaseInsensitive() {
    String path = unique("case");
    assertEquals(201, put(path, "text/plain", null, "stream-closed", "true", "stream-ttl", "60").statusCode());
    HttpResponse<String> h = head(path);
    assertEquals("true", header(h, "Stream-Closed"));
    assertEquals("60", header(h, "Stream-TTL"));
  }
}
