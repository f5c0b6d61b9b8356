package dev.sluice.http;

import static org.apache.pekko.http.javadsl.server.Directives.delete;

import dev.sluice.actors.api.StreamGateway;
import java.util.List;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code DELETE {stream}}: 204; 404 when missing, 410 when soft-deleted (checklist §7). Whether the
 * stream is purged or soft-deleted is the gateway's business. Thread-safe.
 */
final class DeleteRoute {
  private final StreamGateway gateway;

  DeleteRoute(StreamGateway gateway) {
    this.gateway = gateway;
  }

  Route route(String path) {
    return delete(() -> Responses.complete(
        () -> gateway.delete(path).thenApply(done -> Responses.empty(StatusCodes.NO_CONTENT, List.of()))));
  }
}
