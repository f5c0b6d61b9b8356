package dev.sluice.subscriptions.rules;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Set;

/**
 * Webhook URL safety (checklist §15 "Webhook URL checks"): https only, except plain http to
 * {@code localhost} / {@code 127.0.0.x} when local development is allowed; never a private
 * (RFC 1918, unique-local), link-local, loopback, unspecified or cloud-metadata address. The same
 * address rules apply to what a host name resolves to at delivery time ({@link #refusedAddress}),
 * so a public name pointing inside the network is refused too. Stateless, thread-safe.
 */
public final class WebhookUrls {
  private WebhookUrls() {}

  public static final int MAX_LENGTH = 2048;
  private static final Set<String> METADATA_HOSTS = Set.of("metadata.google.internal", "metadata", "instance-data");

  /** Why {@code url} is refused, or null when it may be used. */
  public static String problem(String url, boolean allowLocalHttp) {
    if (url == null || url.isEmpty()) return "webhook.url must be a non-empty string";
    if (url.length() > MAX_LENGTH) return "webhook.url is longer than " + MAX_LENGTH + " characters";
    URI u;
    try {
      u = new URI(url);
    } catch (URISyntaxException e) {
      return "webhook.url must be a valid URL";
    }
    String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
    String host = u.getHost();
    if (host == null || host.isEmpty()) return "webhook.url must be an absolute URL with a host";
    if (u.getUserInfo() != null) return "webhook.url must not carry credentials";
    host = host.toLowerCase(Locale.ROOT);
    if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
    boolean localDev = host.equals("localhost") || host.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
    if (scheme.equals("http")) {
      if (localDev && allowLocalHttp) return null;
      return localDev ? "http webhook URLs to localhost are allowed only in local development"
          : "webhook.url must use https (http only for localhost or 127.0.0.x in development)";
    }
    if (!scheme.equals("https")) return "webhook.url must use https";
    if (host.equals("localhost") || host.endsWith(".localhost")) return "webhook.url must not target localhost";
    if (METADATA_HOSTS.contains(host)) return "webhook.url must not target a cloud metadata service";
    if (isIpLiteral(host)) {
      try {
        String why = refusedAddress(InetAddress.getByName(host));
        if (why != null) return "webhook.url must not target " + why + " addresses";
      } catch (java.net.UnknownHostException e) {
        return "webhook.url has an invalid IP address";
      }
    }
    return null;
  }

  /** Whether http to this URL's host counts as local development (localhost, 127.0.0.x). */
  public static boolean isLocalDev(URI u) {
    String host = u.getHost() == null ? "" : u.getHost().toLowerCase(Locale.ROOT);
    return host.equals("localhost") || host.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
  }

  /** The kind of address {@code a} is when webhooks must not reach it (private, loopback, ...), or null. */
  public static String refusedAddress(InetAddress a) {
    if (a.isLoopbackAddress()) return "loopback";
    if (a.isAnyLocalAddress()) return "unspecified";
    if (a.isLinkLocalAddress()) return "link-local"; // includes 169.254.169.254, the metadata service
    if (a.isSiteLocalAddress()) return "private";
    if (a.isMulticastAddress()) return "multicast";
    byte[] b = a.getAddress();
    if (a instanceof Inet4Address) {
      int x = b[0] & 0xff;
      int y = b[1] & 0xff;
      if (x == 0) return "unspecified";
      if (x == 100 && y >= 64 && y <= 127) return "private"; // RFC 6598 carrier-grade NAT
    }
    if (a instanceof Inet6Address) {
      if ((b[0] & 0xfe) == 0xfc) return "private"; // fc00::/7 unique local
      if ((b[0] & 0xff) == 0xfe && (b[1] & 0xc0) == 0xc0) return "private"; // fec0::/10 site local
      if (b[0] == 0x20 && b[1] == 0x02) return "private"; // 6to4 could wrap any IPv4 address
      if (isV4Mapped(b)) {
        try {
          return refusedAddress(InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]}));
        } catch (java.net.UnknownHostException e) {
          return "private";
        }
      }
    }
    return null;
  }

  private static boolean isV4Mapped(byte[] b) {
    for (int i = 0; i < 10; i++) if (b[i] != 0) return false;
    return (b[10] == (byte) 0xff && b[11] == (byte) 0xff) || (b[10] == 0 && b[11] == 0);
  }

  /** IPv4 dotted quad or IPv6 literal: getByName then parses it without a DNS lookup. */
  private static boolean isIpLiteral(String host) {
    return host.contains(":") || host.matches("[0-9.]+");
  }
}
