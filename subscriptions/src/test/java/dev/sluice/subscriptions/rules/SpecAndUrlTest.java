package dev.sluice.subscriptions.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class SpecAndUrlTest {
  private static SubscriptionSpec.Invalid refused(String body) {
    return assertThrows(SubscriptionSpec.Invalid.class, () -> SubscriptionSpec.parse(body, true), body);
  }

  @Test
  void garbageIsInvalidRequest() {
    for (String body : List.of("", "{", "[]", "42", "{\"type\":\"x\",\"pattern\":\"a\"}",
        "{\"type\":\"pull-wake\",\"pattern\":\"a/*\"}",
        "{\"type\":\"pull-wake\",\"wake_stream\":\"w\"}",
        "{\"type\":\"pull-wake\",\"pattern\":\"a*\",\"wake_stream\":\"w\"}",
        "{\"type\":\"pull-wake\",\"streams\":[1],\"wake_stream\":\"w\"}",
        "{\"type\":\"pull-wake\",\"streams\":[\"a//b\"],\"wake_stream\":\"w\"}",
        "{\"type\":\"pull-wake\",\"pattern\":\"a/*\",\"wake_stream\":\"w\",\"lease_ttl_ms\":999}",
        "{\"type\":\"pull-wake\",\"pattern\":\"a/*\",\"wake_stream\":\"w\",\"lease_ttl_ms\":600001}",
        "{\"type\":\"pull-wake\",\"pattern\":\"a/*\",\"wake_stream\":\"w\",\"lease_ttl_ms\":\"30s\"}",
        "{\"type\":\"pull-wake\",\"pattern\":\"a/*\",\"wake_stream\":\"w\",\"lease_ttl_ms\":1.5}",
        "{\"type\":\"webhook\",\"pattern\":\"a/*\"}",
        "{\"type\":\"webhook\",\"pattern\":\"a/*\",\"webhook\":{\"url\":5}}")) {
      assertEquals("INVALID_REQUEST", refused(body).code(), body);
    }
  }

  @Test
  void unsafeWebhookUrlsAreRejected() {
    for (String url : List.of("http://10.0.0.1/hook", "https://10.1.2.3/h", "https://192.168.1.1/h", "https://172.16.0.1/h",
        "https://169.254.169.254/latest", "https://127.0.0.1/h", "https://[::1]/h", "https://[fd00::1]/h",
        "https://[fe80::1]/h", "https://localhost/h", "ftp://example.com/h", "https://metadata.google.internal/x",
        "https://0.0.0.0/h", "https://[::ffff:10.0.0.1]/h", "not a url", "https:///nohost")) {
      var e = refused("{\"type\":\"webhook\",\"pattern\":\"a/*\",\"webhook\":{\"url\":\"" + url + "\"}}");
      assertEquals("WEBHOOK_URL_REJECTED", e.code(), url);
    }
    assertNull(WebhookUrls.problem("https://hooks.example.com/x", false));
    assertNull(WebhookUrls.problem("http://127.0.0.1:9/x", true));
    assertNull(WebhookUrls.problem("http://localhost:9/x", true));
    assertNotNull(WebhookUrls.problem("http://127.0.0.1:9/x", false), "local http only in development");
  }

  @Test
  void sameNormalizedConfigSameHash() {
    var a = SubscriptionSpec.parse("{\"type\":\"pull-wake\",\"streams\":[\"b\",\"a\",\"a\"],\"wake_stream\":\"w\"}", true);
    var b = SubscriptionSpec.parse("{\"type\":\"pull-wake\",\"streams\":[\"a\",\"b\"],\"wake_stream\":\"w\",\"lease_ttl_ms\":30000}", true);
    var c = SubscriptionSpec.parse("{\"type\":\"pull-wake\",\"streams\":[\"a\",\"b\"],\"wake_stream\":\"w\",\"lease_ttl_ms\":1000}", true);
    assertEquals(a.configHash(), b.configHash());
    assertNotEquals(a.configHash(), c.configHash());
    assertEquals(List.of("a", "b"), a.streams());
    assertEquals(30_000, a.leaseTtlMs());
  }

  @Test
  void idsAreOneSafeSegment() {
    assertEquals(true, SubscriptionSpec.validId("sub-123_a.b~c"));
    for (String bad : List.of("", "a/b", "..", "a b", "x".repeat(129), "é")) assertEquals(false, SubscriptionSpec.validId(bad), bad);
  }
}
