package dev.sluice.http;

import static org.apache.pekko.http.javadsl.server.Directives.completeWithFuture;
import static org.apache.pekko.http.javadsl.server.Directives.extractLog;

import dev.sluice.actors.api.StreamRejectedException;
import dev.sluice.core.Bytes;
import dev.sluice.core.error.ErrorCode;
import dev.sluice.core.error.Rejection;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.util.ByteString;

/** Helpers shared by the operation routes: completing with a future, reading bodies, building responses. */
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

  /**
   * The whole request body, chunked or not; above {@code max-append-bytes} the future fails so the
   * answer is 413 (checklist §4 "Payload limit"): at once when a Content-Length says so, otherwise
   * with {@code EntityStreamSizeException} while streaming. {@code withSizeLimit} replaces Pekko's
   * server-wide {@code max-content-length} for this request.
   */
  static CompletionStage<Bytes> readBody(HttpRequest req, HttpSettings settings, Materializer mat) {
    long max = settings.maxAppendBytes();
    OptionalLong declared = req.entity().getContentLengthOption();
    if (declared.isPresent() && declared.getAsLong() > max) {
      return tooLarge(max);
    }
    // Small bodies usually arrive whole, already strict: take them as they are. Materializing a
    // toStrict stream per request (actors, timers) was the largest single cost of an append.
    if (req.entity() instanceof HttpEntity.Strict strict) {
      var data = strict.getData();
      if (data.size() > max) {
        return tooLarge(max);
      }
      return CompletableFuture.completedFuture(bytes(data));
    }
    // No byte cap in toStrict itself: its own overflow error is indistinguishable from other
    // entity errors; the size limit above fails with the specific EntityStreamSizeException.
    return req.entity()
        .withSizeLimit(max)
        .toStrict(settings.requestBodyTimeout().toMillis(), Long.MAX_VALUE, mat)
        .thenApply(strict -> bytes(strict.getData()));
  }

  private static Bytes bytes(ByteString data) {
    return data.isEmpty() ? Bytes.EMPTY : Bytes.wrap(data.toArray());
  }

  private static <T> CompletionStage<T> tooLarge(long max) {
    return CompletableFuture.failedFuture(new StreamRejectedException(
        Rejection.of(ErrorCode.PAYLOAD_TOO_LARGE, "request body exceeds " + max + " bytes")));
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
