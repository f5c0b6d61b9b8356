package dev.sluice.subscriptions;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * {@code sluice.subscriptions} (see this module's reference.conf).
 *
 * @param allowLocalHttp plain-http webhooks to localhost / 127.0.0.x (local development, checklist §15)
 * @param publicUrl base URL for callback and JWKS links; empty: the scheme and host the client used
 * @param snapshotEvery a subscription entity saves a snapshot every this many events (recovery replays at most that many)
 */
public record SubscriptionSettings(boolean enabled, boolean allowLocalHttp, Duration webhookTimeout, String publicUrl,
                                   int snapshotEvery) {

  /** @param httpHost the address the HTTP server binds: {@code auto} allows local http when it is a loopback one */
  public static SubscriptionSettings fromConfig(Config config, String httpHost) {
    Config c = config.getConfig("sluice.subscriptions");
    String local = c.getString("allow-local-http-webhooks").trim().toLowerCase(java.util.Locale.ROOT);
    boolean allow = switch (local) {
      case "auto" -> isLoopback(httpHost);
      case "on", "true", "yes" -> true;
      case "off", "false", "no" -> false;
      default -> throw new IllegalArgumentException(
          "sluice.subscriptions.allow-local-http-webhooks: expected auto, on or off, got '" + local + "'");
    };
    Duration timeout = c.getDuration("webhook-timeout");
    if (timeout.isNegative() || timeout.isZero()) throw new IllegalArgumentException("sluice.subscriptions.webhook-timeout must be positive");
    String url = c.getString("public-url").trim();
    if (url.endsWith("/")) url = url.substring(0, url.length() - 1);
    if (!url.isEmpty() && !url.matches("https?://[^/]+")) {
      throw new IllegalArgumentException("sluice.subscriptions.public-url: expected scheme://host[:port], got '" + url + "'");
    }
    int every = c.getInt("snapshot-every");
    if (every < 1) throw new IllegalArgumentException("sluice.subscriptions.snapshot-every must be >= 1, was " + every);
    return new SubscriptionSettings(c.getBoolean("enabled"), allow, timeout, url, every);
  }

  static boolean isLoopback(String host) {
    return host != null && (host.equals("localhost") || host.startsWith("127.") || host.equals("::1") || host.equals("[::1]"));
  }
}
