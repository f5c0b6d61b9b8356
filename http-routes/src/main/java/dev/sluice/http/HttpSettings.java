package dev.sluice.http;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * The {@code sluice.http} settings, read once from {@code reference.conf} (every key is documented
 * there). Immutable, thread-safe.
 *
 * <p>The routes also depend on server-level Pekko settings that a library must not set itself
 * (docs/style.md §4.4); the server's {@code application.conf} must apply:
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
 * @param bodyBudgetBytes node-wide bound on request body bytes held at once (admission control);
 *     {@code body-budget = auto} resolves to a fraction of the maximum heap
 * @param requestHeadTimeout a connection with no request in progress is closed when no complete
 *     request head arrives within this time
 * @param maxConnections most connections served at once, before the file-descriptor bound
 * @param fdReserve file descriptors kept free for storage and the JVM; the server serves at most
 *     (process fd limit - this) connections
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
    String corsAllowOrigin,
    long bodyBudgetBytes,
    Duration requestHeadTimeout,
    int maxConnections,
    int fdReserve) {

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
    require(bodyBudgetBytes > 0, "body-budget", "must be > 0", bodyBudgetBytes);
    requirePositive(requestHeadTimeout, "request-head-timeout");
    require(maxConnections > 0, "connections.max", "must be > 0", maxConnections);
    require(fdReserve >= 0, "connections.fd-reserve", "must be >= 0", fdReserve);
  }

  /** The route-level settings only; admission and connection limits get their defaults (tests). */
  public HttpSettings(String host, int port, Duration longPollTimeout, Duration sseCycle, Duration sseKeepalive,
                      long maxAppendBytes, Duration requestBodyTimeout, int readChunkBytes, String corsAllowOrigin) {
    this(host, port, longPollTimeout, sseCycle, sseKeepalive, maxAppendBytes, requestBodyTimeout, readChunkBytes,
        corsAllowOrigin, DEFAULT_BODY_BUDGET, Duration.ofSeconds(20), 20_000, 1024);
  }

  /** Used by the short constructor: 256 MiB, the auto figure of a 1 GB heap. */
  static final long DEFAULT_BODY_BUDGET = 256L * 1024 * 1024;

  /**
   * The largest body this node can ever accept: {@code max-append-bytes}, but no more than the
   * whole body budget (a body that can never be admitted is 413, not an endless 503).
   */
  public long maxBodyBytes() {
    return Math.min(maxAppendBytes, bodyBudgetBytes);
  }

  /** Reads {@code sluice.http} from a resolved config (normally {@code ConfigFactory.load()}). */
  public static HttpSettings fromConfig(Config root) {
    return fromConfig(root, Runtime.getRuntime().maxMemory());
  }

  /** As {@link #fromConfig(Config)}, resolving {@code body-budget = auto} against {@code maxHeapBytes}. */
  public static HttpSettings fromConfig(Config root, long maxHeapBytes) {
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
        c.getString("cors.allow-origin"),
        bodyBudget(c, maxHeapBytes),
        c.getDuration("request-head-timeout"),
        c.getInt("connections.max"),
        c.getInt("connections.fd-reserve"));
  }

  private static long bodyBudget(Config c, long maxHeapBytes) {
    if (!"auto".equals(c.getValue("body-budget").unwrapped())) return c.getBytes("body-budget");
    double fraction = c.getDouble("body-budget-heap-fraction");
    require(fraction > 0 && fraction <= 1, "body-budget-heap-fraction", "must be in (0, 1]", fraction);
    return Math.max(1, (long) (maxHeapBytes * fraction));
  }

  private static void requirePositive(Duration d, String key) {
    require(d != null && !d.isNegative() && !d.isZero(), key, "must be > 0", d);
  }

  private static void require(boolean ok, String key, String rule, Object value) {
    if (!ok) throw new IllegalArgumentException(NS + key + " " + rule + ", was " + value);
  }
}
