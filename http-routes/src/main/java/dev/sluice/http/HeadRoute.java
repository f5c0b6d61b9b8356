package dev.sluice.http;

import static org.apache.pekko.http.javadsl.server.Directives.head;

import dev.sluice.actors.api.StreamGateway;
import dev.sluice.core.protocol.ProtocolHeaders;
import dev.sluice.core.rules.Commands;
import java.time.Instant;
import java.util.ArrayList;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code HEAD {stream}}: metadata without a body (checklist §8). Uses {@code view(path, false)}:
 * HEAD must not refresh a sliding TTL (checklist §14). Requires
 * {@code pekko.http.server.transparent-head-requests = off} (see {@link HttpSettings}). Thread-safe.
 */
final class HeadRoute {
  private final StreamGateway gateway;

  HeadRoute(StreamGateway gateway) {
    this.gateway = gateway;
  }

  Route route(String path) {
    return head(() -> Responses.complete(() -> gateway.view(path, false).thenApply(v -> render(v.info()))));
  }

  static HttpResponse render(Commands.StreamInfo info) {
    var headers = new ArrayList<HttpHeader>(5);
    headers.add(Headers.nextOffset(info.tail()));
    if (info.ttlSeconds() != null) headers.add(Headers.raw(ProtocolHeaders.STREAM_TTL, info.ttlSeconds().toString()));
    if (info.expiresAtMillis() != null) {
      headers.add(Headers.raw(ProtocolHeaders.STREAM_EXPIRES_AT, Instant.ofEpochMilli(info.expiresAtMillis()).toString()));
    }
    if (info.closed()) headers.add(Headers.closed());
    // A HEAD must never be served stale: the tail moves with every append (checklist §13).
    headers.add(Headers.cacheControl("no-store"));
    return Responses.withBody(StatusCodes.OK, Headers.contentType(info.contentType()), new byte[0], headers);
  }
}
