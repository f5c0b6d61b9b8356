package dev.sluice.subscriptions.rules;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;

/**
 * The node cluster's webhook signing key (checklist §15 "Webhook delivery", "GET __ds/jwks.json"):
 * Ed25519 (JDK built-in), generated once and persisted by the subscription directory. A request is
 * signed as {@code Webhook-Signature: t=<unix seconds>,kid=<kid>,ed25519=<base64url(sig over "t.body")>};
 * receivers verify with the public key published as a JWK ({@code kty OKP, crv Ed25519}).
 * Immutable, thread-safe (a {@link Signature} per call).
 */
public final class SigningKey {
  private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();
  /** DER prefix of an X.509 SubjectPublicKeyInfo for Ed25519; the raw 32-byte key follows it. */
  private static final int X509_PREFIX = 12;

  private final PrivateKey privateKey;
  private final byte[] publicRaw;
  private final String kid;

  private SigningKey(PrivateKey privateKey, PublicKey publicKey) {
    this.privateKey = privateKey;
    byte[] enc = publicKey.getEncoded();
    this.publicRaw = Arrays.copyOfRange(enc, X509_PREFIX, enc.length);
    this.kid = "ds_" + B64URL.encodeToString(sha256(publicRaw)).substring(0, 16);
  }

  public static SigningKey generate() {
    try {
      KeyPair kp = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
      return new SigningKey(kp.getPrivate(), kp.getPublic());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Ed25519 is not available in this JVM", e);
    }
  }

  /** Restores a key from {@link #privatePkcs8()} and {@link #publicX509()}. */
  public static SigningKey restore(byte[] privatePkcs8, byte[] publicX509) {
    try {
      KeyFactory kf = KeyFactory.getInstance("Ed25519");
      return new SigningKey(kf.generatePrivate(new PKCS8EncodedKeySpec(privatePkcs8)),
          kf.generatePublic(new X509EncodedKeySpec(publicX509)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("stored webhook signing key cannot be read", e);
    }
  }

  public byte[] privatePkcs8() {
    return privateKey.getEncoded();
  }

  public byte[] publicX509() {
    byte[] out = new byte[X509_PREFIX + publicRaw.length];
    System.arraycopy(ED25519_X509_PREFIX, 0, out, 0, X509_PREFIX);
    System.arraycopy(publicRaw, 0, out, X509_PREFIX, publicRaw.length);
    return out;
  }

  private static final byte[] ED25519_X509_PREFIX = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};

  public String kid() {
    return kid;
  }

  /** The {@code Webhook-Signature} header value for {@code body} sent at {@code unixSeconds}. */
  public String signatureHeader(String body, long unixSeconds) {
    try {
      Signature s = Signature.getInstance("Ed25519");
      s.initSign(privateKey);
      s.update((unixSeconds + "." + body).getBytes(StandardCharsets.UTF_8));
      return "t=" + unixSeconds + ",kid=" + kid + ",ed25519=" + B64URL.encodeToString(s.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The JWK set document served at {@code __ds/jwks.json}. */
  public String jwksJson() {
    return "{\"keys\":[{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"alg\":\"EdDSA\",\"use\":\"sig\",\"kid\":\"" + kid
        + "\",\"x\":\"" + B64URL.encodeToString(publicRaw) + "\"}]}";
  }

  static byte[] sha256(byte[] b) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(b);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
