package dev.sluice.http;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.extractLog;
import static org.apache.pekko.http.javadsl.server.Directives.extractRequest;
import static org.apache.pekko.http.javadsl.server.Directives.extractUri;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.handleExceptions;
import static org.apache.pekko.http.javadsl.server.Directives.handleRejections;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.reject;
import static org.apache.pekko.http.javadsl.server.Directives.respondWithHeaders;

import dev.sluice.actors.api.StreamGateway;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.TimeoutAccess;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.MalformedHeaderRejection;
import org.apache.pekko.http.javadsl.server.MalformedQueryParamRejection;
import org.apache.pekko.http.javadsl.server.MalformedRequestContentRejection;
import org.apache.pekko.http.javadsl.server.MethodRejection;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The whole HTTP surface of a Sluice node: the Durable Streams protocol under {@code /v1/stream/}
 * (one route class per operation), CORS preflight, and {@code GET /health} (200 {@code ok} when the
 * {@link HealthProbe} finds the node ready, 503 with the reasons otherwise).
 *
 * <p>Every response carries the security and CORS headers (checklist §0, §18.8) - including
 * rejections, exceptions, 404s, 405s and request timeouts: the headers are added outside the
 * route's own exception and rejection handlers, so Pekko's default handlers never answer. Parse
 * failures that never reach a route are covered by {@link SecureParsingErrorHandler}.
 *
 * <p>Bind with {@code Http.get(system).newServerAt(host, port).bind(route)}; see
 * {@link HttpSettings} for the server settings the routes rely on. Thread-safe; build once.
 */
public final class StreamRoutes {
  private final CreateRoute create;
  private final AppendRoute append;
  private final ReadRoute read;
  private final HeadRoute head;
  private final DeleteRoute delete;
  private final OptionsRoute options = new OptionsRoute();
  private final List<HttpHeader> alwaysHeaders;
  private final HttpResponse timedOut;
  private final HealthProbe health;
  private final ExceptionHandler exceptionHandler = exceptionHandler();
  private final RejectionHandler rejectionHandler = rejectionHandler();
  /** The reserved {@code __ds} control API, tried before stream handling; rejects what it does not serve. */
  private final Route reserved;

  private StreamRoutes(StreamGateway gateway, HttpSettings settings, InstantSource clock, HealthProbe health, Route reserved) {
    this.reserved = Objects.requireNonNull(reserved, "reserved");
    Objects.requireNonNull(gateway, "gateway");
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(clock, "clock");
    this.health = Objects.requireNonNull(health, "health");
    // One budget for every body this route serves (create and append alike).
    var bodies = new RequestBodies(settings);
    this.create = new CreateRoute(gateway, bodies, clock);
    this.append = new AppendRoute(gateway, bodies);
    this.read = new ReadRoute(gateway, settings, clock);
    this.head = new HeadRoute(gateway);
    this.delete = new DeleteRoute(gateway);
    this.alwaysHeaders = alwaysHeaders(settings.corsAllowOrigin());
    // Pekko answers a request-timeout itself, outside every directive: give that 503 our headers too.
    this.timedOut = ErrorMapping.plain(StatusCodes.SERVICE_UNAVAILABLE, "request timed out", withRetryAfter(alwaysHeaders));
  }

  /**
   * The complete route.
   *
   * @param gateway every stream operation; the routes hold no stream state
   * @param settings {@code sluice.http}
   * @param clock for live-read cursors (checklist §13) and for rejecting a past {@code Stream-Expires-At}
   */
  public static Route create(StreamGateway gateway, HttpSettings settings, InstantSource clock) {
    return create(gateway, settings, clock, HealthProbe.ALWAYS_READY);
  }

  /** The complete route, with {@code GET /health} answering from {@code health}. */
  public static Route create(StreamGateway gateway, HttpSettings settings, InstantSource clock, HealthProbe health) {
    return new StreamRoutes(gateway, settings, clock, health, reject()).route();
  }

  /**
   * The complete route with the reserved control API ({@code /v1/stream/__ds/...}, checklist §0
   * "Reserved prefix", §15) routed before stream handling, inside the same security headers and
   * error handling.
   */
  public static Route create(StreamGateway gateway, HttpSettings settings, InstantSource clock, HealthProbe health,
                             Route reserved) {
    return new StreamRoutes(gateway, settings, clock, health, reserved).route();
  }

  private Route route() {
    return respondWithHeaders(alwaysHeaders, () -> extractRequest(req -> {
      req.getHeader(TimeoutAccess.class).ifPresent(t -> t.timeoutAccess().updateHandler(r -> timedOut));
      return handleExceptions(exceptionHandler, () -> handleRejections(rejectionHandler, () -> concat(
          options.route(),
          path("health", () -> get(() -> extractRequest(r -> complete(health())))),
          reserved,
          extractUri(uri -> StreamPaths.target(uri).map(this::streamRoute).orElseGet(() -> reject())))));
    }));
  }

  /** 200 {@code ok}, or 503 with one reason per line: what a load balancer or an operator acts on. */
  private HttpResponse health() {
    List<String> reasons = health.notReadyReasons();
    if (reasons.isEmpty()) return ErrorMapping.plain(StatusCodes.OK, "ok", List.of());
    return ErrorMapping.plain(StatusCodes.SERVICE_UNAVAILABLE, "not ready: " + String.join("\n", reasons),
        List.of(Headers.raw(HttpHeaderNames.RETRY_AFTER, "1")));
  }

  private Route streamRoute(StreamPaths.Target target) {
    if (target instanceof StreamPaths.Invalid invalid) return complete(ErrorMapping.badRequest(invalid.reason()));
    if (!(target instanceof StreamPaths.Stream s)) {
      // Reserved control namespace or no stream name: never a stream (checklist §0 "Reserved prefix").
      return complete(ErrorMapping.notFound());
    }
    String p = s.path();
    return concat(create.route(p), append.route(p), read.route(p), head.route(p), delete.route(p));
  }

  private static ExceptionHandler exceptionHandler() {
    return ExceptionHandler.newBuilder()
        .matchAny(t -> extractLog(log -> complete(ErrorMapping.toResponse(t, log))))
        .build();
  }

  /** Unsupported methods are 405 (checklist §0 "Methods"); malformed input is 400; no route is 404. */
  private static RejectionHandler rejectionHandler() {
    return RejectionHandler.newBuilder()
        .handleAll(MethodRejection.class, rejections -> {
          var allowed = new TreeSet<String>();
          for (MethodRejection r : rejections) allowed.add(r.supported().value());
          allowed.add("OPTIONS");
          return complete(ErrorMapping.plain(StatusCodes.METHOD_NOT_ALLOWED, "method not allowed",
              List.of(Headers.raw("Allow", String.join(", ", allowed)))));
        })
        .handle(MalformedHeaderRejection.class, r -> complete(ErrorMapping.badRequest("malformed header " + r.headerName())))
        .handle(MalformedQueryParamRejection.class, r -> complete(ErrorMapping.badRequest("malformed query parameter")))
        .handle(MalformedRequestContentRejection.class, r -> complete(ErrorMapping.badRequest("malformed request body")))
        .handleNotFound(complete(ErrorMapping.notFound()))
        .build()
        .withFallback(RejectionHandler.defaultHandler());
  }

  /** Security (checklist §0) and CORS headers, on every response. */
  static List<HttpHeader> alwaysHeaders(String allowOrigin) {
    var h = new ArrayList<>(securityHeaders());
    h.add(Headers.raw(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, allowOrigin));
    h.add(Headers.raw(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS, HttpHeaderNames.ALLOWED_METHODS));
    h.add(Headers.raw(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, String.join(", ", HttpHeaderNames.ALLOWED_REQUEST_HEADERS)));
    h.add(Headers.raw(HttpHeaderNames.ACCESS_CONTROL_EXPOSE_HEADERS, String.join(", ", HttpHeaderNames.EXPOSED_RESPONSE_HEADERS)));
    return List.copyOf(h);
  }

  static List<HttpHeader> securityHeaders() {
    return List.of(
        Headers.raw(HttpHeaderNames.X_CONTENT_TYPE_OPTIONS, "nosniff"),
        Headers.raw(HttpHeaderNames.CROSS_ORIGIN_RESOURCE_POLICY, "cross-origin"));
  }

  private static List<HttpHeader> withRetryAfter(List<HttpHeader> headers) {
    var h = new ArrayList<>(headers);
    h.add(Headers.raw(HttpHeaderNames.RETRY_AFTER, "1"));
    return h;
  }
}
