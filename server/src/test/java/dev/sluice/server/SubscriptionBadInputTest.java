package dev.sluice.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A client's garbage never earns a 5xx from the reserved API (docs/style.md, checklist §15): bad
 * JSON, bad ids, globs, URLs, lease values, tokens and paths are each a 4xx with an error code, and
 * {@code __ds} is never a stream.
 */
class SubscriptionBadInputTest {
  private static SluiceNode node;
  private static String base;

  @BeforeAll
  static void start() throws Exception {
    node = TestNodes.start(TestNodes.config(TestNodes.tempDir("subs-bad-input"), "--management-port", "off"));
    base = node.baseUrl() + "/v1/stream/__ds/";
  }

  @AfterAll
  static void stop() throws Exception {
    node.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private static java.net.http.HttpResponse<String> send(String method, String path, String body, String bearer) {
    var b = HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (bearer != null) b.header("Authorization", "Bearer " + bearer);
    return TestNodes.send(b);
  }

  @Test
  void everyBadInputIsA4xxWithACode() {
    assertEquals(201, send("PUT", "subscriptions/ok", "{\"type\":\"pull-wake\",\"pattern\":\"p/*\",\"wake_stream\":\"w\"}", null).statusCode());
    record Case(String method, String path, String body, String bearer, int status, String code) {}
    var cases = List.of(
        new Case("PUT", "subscriptions/x", "{", null, 400, "INVALID_REQUEST"),
        new Case("PUT", "subscriptions/x", "[1,2]", null, 400, "INVALID_REQUEST"),
        new Case("PUT", "subscriptions/x", "", null, 400, "INVALID_REQUEST"),
        new Case("PUT", "subscriptions/x", "{\"type\":\"pull-wake\",\"pattern\":\"a*b\",\"wake_stream\":\"w\"}", null, 400, "INVALID_REQUEST"),
        new Case("PUT", "subscriptions/x", "{\"type\":\"pull-wake\",\"pattern\":\"a\",\"wake_stream\":\"w\",\"lease_ttl_ms\":5}", null, 400, "INVALID_REQUEST"),
        new Case("PUT", "subscriptions/x", "{\"type\":\"pull-wake\",\"pattern\":\"a\",\"wake_stream\":\"w\",\"lease_ttl_ms\":1e400}", null, 400, "INVALID_REQUEST"),
        new Case("PUT", "subscriptions/x", "{\"type\":\"webhook\",\"pattern\":\"a\",\"webhook\":{\"url\":\"https://169.254.169.254/\"}}", null, 400, "WEBHOOK_URL_REJECTED"),
        new Case("PUT", "subscriptions/x", "{\"type\":\"webhook\",\"pattern\":\"a\",\"webhook\":{\"url\":\"javascript:alert(1)\"}}", null, 400, "WEBHOOK_URL_REJECTED"),
        new Case("PUT", "subscriptions/bad%20id", "{}", null, 400, "INVALID_REQUEST"),
        new Case("PUT", "subscriptions/ok", "{\"type\":\"pull-wake\",\"pattern\":\"q/*\",\"wake_stream\":\"w\"}", null, 409, "SUBSCRIPTION_ALREADY_EXISTS"),
        new Case("GET", "subscriptions/missing", null, null, 404, "SUBSCRIPTION_NOT_FOUND"),
        new Case("POST", "subscriptions/ok", "{}", null, 405, "METHOD_NOT_ALLOWED"),
        new Case("POST", "subscriptions/ok/streams", "{\"streams\":\"a\"}", null, 400, "INVALID_REQUEST"),
        new Case("POST", "subscriptions/ok/streams", "{\"streams\":[\"a/../b\"]}", null, 400, "INVALID_REQUEST"),
        new Case("DELETE", "subscriptions/ok/streams/a%2F%2Fb", null, null, 400, "INVALID_REQUEST"),
        new Case("POST", "subscriptions/ok/claim", "{\"worker\":7}", null, 400, "INVALID_REQUEST"),
        new Case("POST", "subscriptions/ok/claim", "nope", null, 400, "INVALID_REQUEST"),
        new Case("POST", "subscriptions/ok/claim", "{\"worker\":\"w\"}", null, 409, "NO_PENDING_WORK"),
        new Case("POST", "subscriptions/ok/ack", "{}", null, 401, "TOKEN_INVALID"),
        new Case("POST", "subscriptions/ok/ack", "{}", "1.forged", 401, "TOKEN_INVALID"),
        new Case("POST", "subscriptions/ok/ack", "{\"generation\":\"x\"}", "1.forged", 400, "INVALID_REQUEST"),
        new Case("POST", "subscriptions/ok/ack", "{\"acks\":[{\"stream\":\"a\",\"offset\":\"-1\"}]}", "t", 400, "INVALID_REQUEST"),
        new Case("POST", "subscriptions/ok/callback", "{}", "t", 400, "INVALID_REQUEST"),
        new Case("POST", "subscriptions/ok/bogus", "{}", null, 404, "NOT_FOUND"),
        new Case("GET", "elsewhere", null, null, 404, "NOT_FOUND"),
        new Case("PUT", "jwks.json", "{}", null, 405, "METHOD_NOT_ALLOWED"));
    var wrong = new ArrayList<String>();
    for (Case c : cases) {
      var r = send(c.method(), c.path(), c.body(), c.bearer());
      boolean ok = r.statusCode() == c.status() && r.body().contains("\"code\":\"" + c.code() + "\"");
      if (!ok) wrong.add(c + " -> " + r.statusCode() + " " + r.body());
    }
    assertTrue(wrong.isEmpty(), String.join("\n", wrong));
  }

  @Test
  void theReservedPrefixIsNeverAStream() {
    var put = TestNodes.send(HttpRequest.newBuilder(URI.create(base + "subscriptions")).header("Content-Type", "text/plain")
        .PUT(HttpRequest.BodyPublishers.ofString("x")));
    assertEquals(404, put.statusCode());
    assertEquals(404, TestNodes.get(base.substring(0, base.length() - 1)).statusCode());
  }
}
