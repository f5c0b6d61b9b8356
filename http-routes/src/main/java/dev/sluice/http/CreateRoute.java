package dev.sluice.http;

import static org.apache.pekko.http.javadsl.server.Directives.extractMaterializer;
import static org.apache.pekko.http.javadsl.server.Directives.extractRequest;
import static org.apache.pekko.http.javadsl.server.Directives.put;

import dev.sluice.actors.api.StreamGateway;
import dev.sluice.core.protocol.ContentTypes;
import dev.sluice.core.rules.Commands;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.Materializer;

/**
 * {@code PUT {stream}}: create, idempotent re-create, or fork (checklist §2, §3). Header syntax,
 * and a {@code Stream-Expires-At} already past by {@code clock}, are checked before the body is
 * read; config matching, fork validation and JSON validation of the initial body are the rules'
 * job. Thread-safe.
 */
final class CreateRoute {
  private final StreamGateway gateway;
  private final RequestBodies bodies;
  private final InstantSource clock;

  CreateRoute(StreamGateway gateway, RequestBodies bodies, InstantSource clock) {
    this.gateway = gateway;
    this.bodies = bodies;
    this.clock = clock;
  }

  Route route(String path) {
    return put(() -> extractRequest(req -> extractMaterializer(mat -> Responses.complete(() -> handle(path, req, mat)))));
  }

  CompletionStage<HttpResponse> handle(String path, HttpRequest req, Materializer mat) {
    Headers.Expiry expiry = Headers.expiry(clock.millis(), req);
    Commands.ForkRequest fork = Headers.fork(req);
    boolean closed = Headers.closeRequested(req);
    // Absent or malformed: the default type for a plain create, the source's type for a fork (checklist §2, §3).
    String contentType = Headers.requestContentType(req);
    // A fork's type is only known behind the gateway: charge a typeless body as JSON.
    int cost = contentType == null || ContentTypes.isJson(contentType) ? RequestBodies.JSON_COST_FACTOR : 1;
    return bodies.withBody(req, cost, mat, body -> gateway.create(path,
            new Commands.Create(contentType, expiry.ttlSeconds(), expiry.expiresAtMillis(), closed, body, fork)))
        .thenApply(result -> render(req, result));
  }

  /**
   * 201 with an absolute {@code Location} for a new stream, 200 without it for an idempotent
   * match; both with the stream's content type and tail. Fork headers are never echoed
   * (checklist §3 "Transparency").
   */
  private static HttpResponse render(HttpRequest req, Commands.CreateResult result) {
    var info = result.info();
    var headers = new ArrayList<HttpHeader>(3);
    headers.add(Headers.nextOffset(info.tail()));
    if (info.closed()) headers.add(Headers.closed());
    if (result.created()) headers.add(Headers.raw(HttpHeaderNames.LOCATION, location(req)));
    return Responses.withBody(result.created() ? StatusCodes.CREATED : StatusCodes.OK,
        Headers.contentType(info.contentType()), new byte[0], headers);
  }

  /** The request URL without its query: Pekko's server makes request URIs absolute from {@code Host}. */
  static String location(HttpRequest req) {
    String uri = req.getUri().toString();
    int q = uri.indexOf('?');
    return q < 0 ? uri : uri.substring(0, q);
  }
}
