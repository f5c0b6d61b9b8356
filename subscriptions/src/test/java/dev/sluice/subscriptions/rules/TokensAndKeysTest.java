package dev.sluice.subscriptions.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class TokensAndKeysTest {

  @Test
  void tokensNameTheirGenerationAndOnlyTheirSubscription() {
    byte[] key = Tokens.newKey();
    String t = Tokens.issue(key, "sub", 7);
    assertEquals(7, Tokens.generationOf(key, "sub", t));
    assertEquals(-1, Tokens.generationOf(key, "other", t));
    assertEquals(-1, Tokens.generationOf(Tokens.newKey(), "sub", t));
    assertEquals(-1, Tokens.generationOf(key, "sub", "8" + t.substring(1)));
    assertEquals(-1, Tokens.generationOf(key, "sub", "garbage"));
    assertEquals(-1, Tokens.generationOf(key, "sub", null));
  }

  @Test
  void backoffDoublesFromOneSecondToSixtyWithTwentyPercentJitter() {
    assertEquals(1_000, Tokens.backoffMillis(1, 0.5));
    assertEquals(2_000, Tokens.backoffMillis(2, 0.5));
    assertEquals(60_000, Tokens.backoffMillis(20, 0.5));
    assertEquals(800, Tokens.backoffMillis(1, 0.0));
    assertEquals(72_000, Tokens.backoffMillis(30, 1.0));
  }

  @Test
  void signatureVerifiesWithThePublishedJwk() throws Exception {
    SigningKey key = SigningKey.generate();
    SigningKey restored = SigningKey.restore(key.privatePkcs8(), key.publicX509());
    assertEquals(key.kid(), restored.kid());
    assertTrue(key.kid().startsWith("ds_"));
    String body = "{\"a\":1}";
    String header = restored.signatureHeader(body, 1_700_000_000L);
    var m = java.util.regex.Pattern.compile("^t=(\\d+),kid=([^,]+),ed25519=([A-Za-z0-9_-]+)$").matcher(header);
    assertTrue(m.matches(), header);
    var jwk = Json.MAPPER.readTree(key.jwksJson()).get("keys").get(0);
    assertEquals(m.group(2), jwk.get("kid").asText());
    byte[] raw = Base64.getUrlDecoder().decode(jwk.get("x").asText());
    byte[] spki = new byte[12 + raw.length];
    System.arraycopy(new byte[] {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00}, 0, spki, 0, 12);
    System.arraycopy(raw, 0, spki, 12, raw.length);
    var pub = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
    Signature v = Signature.getInstance("Ed25519");
    v.initVerify(pub);
    v.update((m.group(1) + "." + body).getBytes(StandardCharsets.UTF_8));
    assertTrue(v.verify(Base64.getUrlDecoder().decode(m.group(3))));
    v.initVerify(pub);
    v.update((m.group(1) + "." + body + " ").getBytes(StandardCharsets.UTF_8));
    assertEquals(false, v.verify(Base64.getUrlDecoder().decode(m.group(3))));
  }
}
