package dev.sluice.http;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.extractRequest;
import static org.apache.pekko.http.javadsl.server.Directives.reject;

import java.util.List;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code OPTIONS} on any path: the CORS preflight answer, 204 (checklist §0 "CORS"). The CORS
 * headers themselves are on every response ({@link StreamRoutes}); this adds a max-age so
 * browsers cache the preflight. Thread-safe.
 */
final class OptionsRoute {
  Route route() {
    // Not the `options` directive: its MethodRejection for every other method would turn a plain
    // 404 (no such path) into a 405.
    return extractRequest(req -> req.method().equals(HttpMethods.OPTIONS)
        ? complete(Responses.empty(StatusCodes.NO_CONTENT, List.of(Headers.raw(HttpHeaderNames.ACCESS_CONTROL_MAX_AGE, "86400"))))
        : reject());
  }
}
