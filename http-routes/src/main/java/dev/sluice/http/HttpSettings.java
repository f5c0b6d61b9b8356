package dev.sluice.http;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * The {@code sluice.http} settings, read once from {@code reference.conf} (every key is documented
 * there). Immutable, thread-safe.
 *
 * <p>The routes also depend on server-level Pekko settings that a library must not set itself
 * (STYLE.md §4.4); the server's {@code application.conf} must apply:
 *
 * <ul>
 *   <li>{@code pekko.http.server.transparent-head-requests = off}: otherwise Pekko turns HEAD into
 *       GET before routing, so HEAD would refresh a sliding TTL and lose its metadata headers
 *       (checklist §8).
 *   <li>{@code pekko.http.server.idle-timeout} greater than {@link #longPollTimeout} and
 *       {@link #sseKeepalive} (for example 2x), or idle long-polls and SSE readers get cut.
 *   <li>{@code pekko.http.server.request-timeout}: the routes extend it per long-poll request
 *       (long-poll timeout + 10 s) and add the security headers to its 503, but it must not be
 *       {@code infinite}/{@code off} if you want that 503 at all.
 *   <li>{@code pekko.http.server.parsing.error-handler = "dev.sluice.http.SecureParsingErrorHandler"}
 *       so even responses to unparseable requests carry the security headers (checklist §0).
 *   <li>{@code pekko.http.server.parsing.max-chunk-size} at least a few MiB if clients stream
 *       large chunked bodies (the default 1m rejects bigger chunks before the routes see them).
 * </ul>
 *
 * @param host interface to bind
 * @param port port to bind (0 = any free port)
 * @param longPollTimeout how long a long-poll waits at the tail before its 204
 * @param sseCycle how long an SSE response stays open before the server closes it
 * @param sseKeepalive idle interval between SSE keep-alive control events
 * @param maxAppendBytes largest POST/PUT body; above it the answer is 413
 * @param requestBodyTimeout how long reading one request body may take
 * @param readChunkBytes data bound of one catch-up/long-poll response or SSE data event
 * @param corsAllowOrigin value of {@code Access-Control-Allow-Origin}
 */
public record HttpSettings(
    String host,
    int port,
    Duration longPollTimeout,
    Duration sseCycle,
    Duration sseKeepalive,
    long maxAppendBytes,
    Duration requestBodyTimeout,
    int readChunkBytes,
    String corsAllowOrigin) {

  private static final String NS = "sluice.http.";
  /** A request body becomes one {@code ByteString}, whose size is an int. */
  private static final long MAX_BODY_LIMIT = Integer.MAX_VALUE - 8;

  public HttpSettings {
    require(host != null && !host.isBlank(), "host", "must not be blank", host);
    require(port >= 0 && port <= 65535, "port", "must be in 0..65535", port);
    requirePositive(longPollTimeout, "long-poll-timeout");
    requirePositive(sseCycle, "sse-cycle");
    requirePositive(sseKeepalive, "sse-keepalive");
    require(maxAppendBytes > 0 && maxAppendBytes <= MAX_BODY_LIMIT, "max-append-bytes",
        "must be in 1.." + MAX_BODY_LIMIT, maxAppendBytes);
    requirePositive(requestBodyTimeout, "request-body-timeout");
    require(readChunkBytes > 0, "read-chunk-bytes", "must be > 0", readChunkBytes);
    require(corsAllowOrigin != null && !corsAllowOrigin.isBlank(), "cors.allow-origin", "must not be blank",
        corsAllowOrigin);
  }

  /** Reads {@code sluice.http} from a resolved config (normally {@code ConfigFactory.load()}). */
  public static HttpSettings fromConfig(Config root) {
    Config c = root.getConfig("sluice.http");
    long chunk = c.getBytes("read-chunk-bytes");
    require(chunk > 0 && chunk <= Integer.MAX_VALUE, "read-chunk-bytes", "must be in 1.." + Integer.MAX_VALUE, chunk);
    return new HttpSettings(
        c.getString("host"),
        c.getInt("port"),
        c.getDuration("long-poll-timeout"),
        c.getDuration("sse-cycle"),
        c.getDuration("sse-keepalive"),
        c.getBytes("max-append-bytes"),
        c.getDuration("request-body-timeout"),
        (int) chunk,
        c.getString("cors.allow-origin"));
  }

  private static void requirePositive(Duration d, String key) {
    require(d != null && !d.isNegative() && !d.isZero(), key, "must be > 0", d);
  }

  private static void require(boolean ok, String key, String rule, Object value) {
    if (!ok) throw new IllegalArgumentException(NS + key + " " + rule + ", was " + value);
  }
}
