package dev.sluice.subscriptions.rules;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Bearer tokens for webhook callbacks and pull-wake claims (checklist §15). A token is
 * {@code <generation>.<base64url HMAC-SHA256(key, id + generation)>} under a random key kept in the
 * subscription's journal: any token the subscription ever issued is recognised (so a stale one
 * is answered 409 FENCED, not 401), while no token itself is ever stored or returned by GET.
 */
public final class Tokens {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();

  private Tokens() {}

  public static byte[] newKey() {
    byte[] k = new byte[32];
    RANDOM.nextBytes(k);
    return k;
  }

  public static String randomId(String prefix) {
    byte[] b = new byte[12];
    RANDOM.nextBytes(b);
    return prefix + B64URL.encodeToString(b);
  }

  public static String issue(byte[] key, String subscriptionId, long generation) {
    return generation + "." + mac(key, subscriptionId, generation);
  }

  /** The generation {@code token} was issued for, or -1 when the subscription never issued it. */
  public static long generationOf(byte[] key, String subscriptionId, String token) {
    if (token == null) return -1;
    int dot = token.indexOf('.');
    if (dot <= 0 || dot > 19) return -1;
    long gen;
    try {
      gen = Long.parseLong(token.substring(0, dot));
    } catch (NumberFormatException e) {
      return -1;
    }
    if (gen < 0) return -1;
    byte[] expected = mac(key, subscriptionId, gen).getBytes(StandardCharsets.US_ASCII);
    byte[] got = token.substring(dot + 1).getBytes(StandardCharsets.US_ASCII);
    return MessageDigest.isEqual(expected, got) ? gen : -1;
  }

  private static String mac(byte[] key, String id, long generation) {
    try {
      Mac m = Mac.getInstance("HmacSHA256");
      m.init(new SecretKeySpec(key, "HmacSHA256"));
      return B64URL.encodeToString(m.doFinal((id + "\n" + generation).getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Retry delay before attempt {@code attempt} (1-based): 1 s doubling to 60 s, +/- 20 % jitter (checklist §15). */
  public static long backoffMillis(int attempt, double random01) {
    long base = Math.min(60_000L, 1_000L << Math.min(6, Math.max(0, attempt - 1)));
    double jitter = base * 0.2 * (random01 * 2 - 1);
    return Math.max(0, Math.round(base + jitter));
  }
}
