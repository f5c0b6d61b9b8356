package dev.sluice.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Webhook delivery to a real HTTP receiver on loopback (checklist §15 "Webhook delivery"): every
 * request's {@code Webhook-Signature} verifies with the key published at {@code __ds/jwks.json}; a
 * failed delivery is retried (same wake, after the 1 s +/- 20 % first backoff); the callback acks
 * and ends the wake; a {@code {"done":true}} answer auto-acks the wake's snapshot.
 */
class WebhookDeliveryTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern SIG = Pattern.compile("^t=(\\d+),kid=([^,]+),ed25519=([A-Za-z0-9_-]+)$");

  /** One request the receiver got. */
  record Received(String body, String signature, long atNanos) {}

  private SluiceNode node;
  private HttpServer receiver;
  private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
  /** The answers the receiver gives, in order ("status body"); the last one repeats. */
  private final BlockingQueue<String> answers = new LinkedBlockingQueue<>();

  @BeforeEach
  void start() throws Exception {
    node = TestNodes.start(TestNodes.config(TestNodes.tempDir("webhook-test"), "--management-port", "off"));
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext("/hook", ex -> {
      String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      received.add(new Received(body, ex.getRequestHeaders().getFirst("Webhook-Signature"), System.nanoTime()));
      String a = answers.size() > 1 ? answers.poll() : answers.peek();
      int status = Integer.parseInt(a.substring(0, 3));
      byte[] out = a.substring(4).getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().add("Content-Type", "application/json");
      ex.sendResponseHeaders(status, out.length);
      ex.getResponseBody().write(out);
      ex.close();
    });
    receiver.start();
  }

  @AfterEach
  void stop() throws Exception {
    if (receiver != null) receiver.stop(0);
    if (node != null) node.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void signedDeliveryRetryCallbackAndAutoAck() throws Exception {
    String base = node.baseUrl() + "/v1/stream/";
    String hook = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
    answers.add("500 {}");
    answers.add("200 {}");
    var old = send("PUT", base + "hooks/old", "{\"n\":0}", null);
    assertEquals(201, old.statusCode());
    String oldTail = old.headers().firstValue("Stream-Next-Offset").orElseThrow();
    var created = send("PUT", base + "__ds/subscriptions/hooks-test",
        "{\"type\":\"webhook\",\"pattern\":\"hooks/*\",\"webhook\":{\"url\":\"" + hook + "\"},\"lease_ttl_ms\":60000}", null);
    assertEquals(201, created.statusCode(), created.body());
    JsonNode sub = JSON.readTree(created.body());
    assertFalse(created.body().contains("secret"), "no secret is ever returned");
    String jwksUrl = sub.path("webhook").path("signing").path("jwks_url").asText();
    assertEquals(base + "__ds/jwks.json", jwksUrl);
    var jwks = TestNodes.get(jwksUrl);
    assertTrue(jwks.headers().firstValue("Content-Type").orElse("").contains("application/jwk-set+json"));
    JsonNode jwk = JSON.readTree(jwks.body()).path("keys").get(0);
    assertEquals(sub.path("webhook").path("signing").path("kid").asText(), jwk.path("kid").asText());
    PublicKey key = publicKey(jwk);
    // The pattern backfilled the existing stream at its tail: linked, nothing pending (checklist §15).
    JsonNode oldLink = sub.path("streams").get(0);
    assertEquals("hooks/old", oldLink.path("path").asText());
    assertEquals(oldTail, oldLink.path("acked_offset").asText());
    assertFalse(oldLink.path("has_pending").asBoolean());

    assertEquals(201, send("PUT", base + "hooks/a", "{\"n\":1}", null).statusCode());
    Received first = next();
    Received retry = next();
    JsonNode wake = JSON.readTree(retry.body());
    assertEquals(JSON.readTree(first.body()).path("wake_id"), wake.path("wake_id"), "a retry redelivers the same wake");
    long gapMillis = (retry.atNanos() - first.atNanos()) / 1_000_000;
    assertTrue(gapMillis >= 750 && gapMillis < 5_000, "first retry after ~1 s (800-1200 ms + delivery), was " + gapMillis);
    for (Received r : new Received[] {first, retry}) {
      assertTrue(verifies(key, jwk.path("kid").asText(), r.signature(), r.body()), "signature verifies: " + r.signature());
      assertFalse(verifies(key, jwk.path("kid").asText(), r.signature(), r.body() + " "), "a changed body does not verify");
    }
    assertEquals("hooks-test", wake.path("subscription_id").asText());
    assertEquals(base + "__ds/subscriptions/hooks-test/callback", wake.path("callback_url").asText());
    assertEquals(2, wake.path("streams").size(), wake.toString());
    assertFalse(wake.path("streams").get(1).path("has_pending").asBoolean(), "hooks/old has nothing new");
    JsonNode stream = wake.path("streams").get(0);
    assertEquals("hooks/a", stream.path("path").asText());
    assertTrue(stream.path("has_pending").asBoolean());
    String tail = stream.path("tail_offset").asText();

    String token = wake.path("callback_token").asText();
    String heartbeat = "{\"wake_id\":\"" + wake.path("wake_id").asText() + "\",\"generation\":" + wake.path("generation").asLong()
        + ",\"acks\":[{\"stream\":\"hooks/a\",\"offset\":\"" + tail + "\"}]}";
    var hb = send("POST", wake.path("callback_url").asText(), heartbeat, token);
    assertEquals(200, hb.statusCode(), hb.body());
    var forged = send("POST", wake.path("callback_url").asText(), heartbeat, "1.forged");
    assertEquals(401, forged.statusCode(), forged.body());
    var done = send("POST", wake.path("callback_url").asText(), heartbeat.replace("}]}", "}],\"done\":true}"), token);
    assertEquals("{\"ok\":true,\"next_wake\":false}", done.body());

    // Next wake: the receiver answers {"done": true}, which acks the wake's snapshot.
    answers.clear();
    answers.add("200 {\"done\":true}");
    assertEquals(204, send("POST", base + "hooks/a", "{\"n\":2}", null).statusCode());
    JsonNode wake2 = JSON.readTree(next().body());
    assertEquals(wake.path("generation").asLong() + 1, wake2.path("generation").asLong());
    String tail2 = wake2.path("streams").get(0).path("tail_offset").asText();
    assertEquals("hooks/a", wake2.path("streams").get(0).path("path").asText());
    assertTrue(tail2.compareTo(tail) > 0);
    TestNodes.awaitGet(base + "__ds/subscriptions/hooks-test", Duration.ofSeconds(10),
        r -> r.body().contains("\"acked_offset\":\"" + tail2 + "\""));
  }

  private Received next() throws InterruptedException {
    Received r = received.poll(10, TimeUnit.SECONDS);
    assertNotNull(r, "no webhook request within 10 s");
    return r;
  }

  private static java.net.http.HttpResponse<String> send(String method, String url, String body, String bearer) {
    var b = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
        .method(method, HttpRequest.BodyPublishers.ofString(body));
    if (bearer != null) b.header("Authorization", "Bearer " + bearer);
    return TestNodes.send(b);
  }

  /** The JWK's raw Ed25519 key, wrapped in the fixed X.509 prefix the JDK reads. */
  private static PublicKey publicKey(JsonNode jwk) throws Exception {
    assertEquals("OKP", jwk.path("kty").asText());
    assertEquals("Ed25519", jwk.path("crv").asText());
    byte[] raw = Base64.getUrlDecoder().decode(jwk.path("x").asText());
    byte[] prefix = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};
    byte[] spki = new byte[prefix.length + raw.length];
    System.arraycopy(prefix, 0, spki, 0, prefix.length);
    System.arraycopy(raw, 0, spki, prefix.length, raw.length);
    return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
  }

  private static boolean verifies(PublicKey key, String kid, String header, String body) throws Exception {
    var m = SIG.matcher(header == null ? "" : header);
    if (!m.matches() || !m.group(2).equals(kid)) return false;
    if (Math.abs(System.currentTimeMillis() / 1000 - Long.parseLong(m.group(1))) > 300) return false;
    Signature v = Signature.getInstance("Ed25519");
    v.initVerify(key);
    v.update((m.group(1) + "." + body).getBytes(StandardCharsets.UTF_8));
    return v.verify(Base64.getUrlDecoder().decode(m.group(3)));
  }
}
