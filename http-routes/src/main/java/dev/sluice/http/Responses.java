package dev.sluice.http;

import static org.apache.pekko.http.javadsl.server.Directives.completeWithFuture;
import static org.apache.pekko.http.javadsl.server.Directives.extractLog;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.server.Route;

/** Helpers shared by the operation routes: completing with a future, building responses. */
final class Responses {
  private Responses() {}

  /**
   * Completes with {@code op}'s response. Whatever {@code op} throws or fails with becomes an
   * error response through {@link ErrorMapping}, so Pekko's default handlers never answer.
   */
  static Route complete(Supplier<CompletionStage<HttpResponse>> op) {
    return extractLog(log -> {
      CompletionStage<HttpResponse> stage;
      try {
        stage = op.get();
      } catch (RuntimeException e) {
        stage = CompletableFuture.failedFuture(e);
      }
      return completeWithFuture(stage.handle((r, e) -> e == null ? r : ErrorMapping.toResponse(e, log)));
    });
  }

  /** A response without a body (204, 304, long-poll 204). */
  static HttpResponse empty(StatusCode status, List<HttpHeader> headers) {
    return HttpResponse.create().withStatus(status).addHeaders(headers);
  }

  /** A response whose body is {@code body} with exactly the stream's content type. */
  static HttpResponse withBody(StatusCode status, ContentType contentType, byte[] body, List<HttpHeader> headers) {
    return HttpResponse.create()
        .withStatus(status)
        .withEntity(HttpEntities.create(contentType, body))
        .addHeaders(headers);
  }
}
