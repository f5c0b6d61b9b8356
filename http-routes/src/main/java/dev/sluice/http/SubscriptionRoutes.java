package dev.sluice.http;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.completeWithFuture;
import static org.apache.pekko.http.javadsl.server.Directives.entity;
import static org.apache.pekko.http.javadsl.server.Directives.extractRequest;
import static org.apache.pekko.http.javadsl.server.Directives.reject;
import static org.apache.pekko.http.javadsl.server.Directives.withSizeLimit;

import dev.sluice.subscriptions.Subscriptions;
import dev.sluice.subscriptions.entity.SubscriptionEntity.Reply;
import dev.sluice.subscriptions.rules.Json;
import dev.sluice.subscriptions.rules.SubscriptionSpec;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.Uri;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;

/**
 * The reserved control API under {@code /v1/stream/__ds/} (checklist §0 "Reserved prefix", §15),
 * mounted before stream handling: {@code jwks.json}, and per subscription {@code PUT/GET/DELETE},
 * {@code POST .../streams}, {@code DELETE .../streams/:path}, {@code POST .../callback|claim|ack|release}.
 * Everything else under the prefix is a JSON 404 (never a stream). Input errors are 4xx with a code.
 */
public final class SubscriptionRoutes {
  static final int MAX_BODY = 256 * 1024;
  private final Subscriptions subs;

  public SubscriptionRoutes(Subscriptions subs) {
    this.subs = subs;
  }

  public Route route() {
    return extractRequest(req -> {
      List<String> segs = StreamPaths.segments(req.getUri());
      if (segs.size() < 3 || !segs.get(0).equals("v1") || !segs.get(1).equals("stream") || !segs.get(2).equals("__ds")) {
        return reject();
      }
      if (req.method().equals(HttpMethods.OPTIONS)) return reject(); // CORS preflight, as for streams
      List<String> rest = segs.subList(3, segs.size());
      return withSizeLimit(MAX_BODY, () -> entity(Unmarshaller.entityToString(), body ->
          completeWithFuture(dispatch(req, rest, body).exceptionally(SubscriptionRoutes::failure))));
    });
  }

  private CompletionStage<HttpResponse> dispatch(HttpRequest req, List<String> rest, String body) {
    try {
      String m = req.method().value();
      if (rest.equals(List.of("jwks.json"))) {
        if (!m.equals("GET") && !m.equals("HEAD")) return done(methodNotAllowed("GET"));
        return subs.jwks().thenApply(j -> HttpResponse.create().withStatus(200)
            .withEntity(MediaTypes.applicationWithFixedCharset("jwk-set+json", HttpCharsets.UTF_8).toContentType(), j)
            .addHeader(RawHeader.create("Cache-Control", "public, max-age=300")));
      }
      if (rest.size() < 2 || !rest.get(0).equals("subscriptions")) return done(notFound());
      String id = rest.get(1);
      if (!SubscriptionSpec.validId(id)) {
        return done(json(new Reply(400, Json.error("INVALID_REQUEST", "subscription id must be 1-128 of A-Z a-z 0-9 . _ ~ -"))));
      }
      List<String> tail = rest.subList(2, rest.size());
      if (tail.isEmpty()) {
        switch (m) {
          case "PUT": return reply(subs.put(id, body, base(req.getUri())));
          case "GET": return reply(subs.get(id));
          case "DELETE": return reply(subs.delete(id));
          default: return done(methodNotAllowed("GET, PUT, DELETE"));
        }
      }
      String action = tail.get(0);
      if (action.equals("streams")) {
        if (tail.size() == 1) return m.equals("POST") ? reply(subs.addStreams(id, body)) : done(methodNotAllowed("POST"));
        if (!m.equals("DELETE")) return done(methodNotAllowed("DELETE"));
        String path = String.join("/", tail.subList(1, tail.size()));
        String why = SubscriptionSpec.pathProblem(path);
        if (why != null) return done(json(new Reply(400, Json.error("INVALID_REQUEST", why))));
        return reply(subs.removeStream(id, path));
      }
      if (tail.size() != 1) return done(notFound());
      if (!List.of("callback", "claim", "ack", "release").contains(action)) return done(notFound());
      if (!m.equals("POST")) return done(methodNotAllowed("POST"));
      if (action.equals("claim")) return reply(subs.claim(id, body));
      String token = req.getHeader("Authorization").map(h -> h.value()).filter(v -> v.regionMatches(true, 0, "Bearer ", 0, 7))
          .map(v -> v.substring(7).trim()).orElse(null);
      if (token == null) return done(json(new Reply(401, Json.error("TOKEN_INVALID", "missing bearer token"))));
      return reply(subs.wakeAction(id, action, token, body));
    } catch (SubscriptionSpec.Invalid e) {
      return done(json(new Reply(400, Json.error(e.code(), e.getMessage()))));
    }
  }

  private static CompletionStage<HttpResponse> reply(CompletionStage<Reply> r) {
    return r.thenApply(SubscriptionRoutes::json);
  }

  private static CompletionStage<HttpResponse> done(HttpResponse r) {
    return CompletableFuture.completedFuture(r);
  }

  static HttpResponse json(Reply r) {
    var resp = HttpResponse.create().withStatus(r.status());
    return r.body().isEmpty() ? resp : resp.withEntity(ContentTypes.APPLICATION_JSON, r.body());
  }

  private static HttpResponse notFound() {
    return json(new Reply(404, Json.error("NOT_FOUND", "no such reserved resource")));
  }

  private static HttpResponse methodNotAllowed(String allow) {
    return json(new Reply(405, Json.error("METHOD_NOT_ALLOWED", "allowed: " + allow))).addHeader(RawHeader.create("Allow", allow));
  }

  /** Input errors found late are 4xx; anything else is 503 (the outcome is unknown, retry). */
  private static HttpResponse failure(Throwable t) {
    Throwable c = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    if (c instanceof SubscriptionSpec.Invalid i) return json(new Reply(400, Json.error(i.code(), i.getMessage())));
    return json(new Reply(503, Json.error("UNAVAILABLE", "subscription did not answer, retry: " + c.getClass().getSimpleName())))
        .addHeader(RawHeader.create("Retry-After", "1"));
  }

  /** Scheme and authority the client used: the base of callback and JWKS URLs. */
  static String base(Uri uri) {
    String host = uri.host().address();
    if (host.contains(":") && !host.startsWith("[")) host = "[" + host + "]";
    int port = uri.port();
    return uri.scheme() + "://" + host + (port > 0 ? ":" + port : "");
  }
}
