package dev.sluice.http;

import dev.sluice.actors.api.StreamRejectedException;
import dev.sluice.actors.api.StreamUnavailableException;
import dev.sluice.core.error.ErrorCode;
import dev.sluice.core.error.Rejection;
import dev.sluice.core.protocol.ProtocolHeaders;
import dev.sluice.core.spi.StorageFullException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.scaladsl.model.EntityStreamException;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.apache.pekko.http.scaladsl.model.ExceptionWithErrorInfo;
import org.apache.pekko.http.scaladsl.model.IllegalHeaderException;
import org.apache.pekko.http.scaladsl.model.IllegalRequestException;
import org.apache.pekko.http.scaladsl.model.IllegalUriException;
import org.apache.pekko.http.scaladsl.model.InvalidContentLengthException;
import org.apache.pekko.http.scaladsl.model.ParsingException;

/**
 * The only place that turns outcomes into error statuses (docs/style.md §4.3): protocol rejections
 * ({@link ErrorCode}, one exhaustive switch) and failures (503 retryable, 500 otherwise). Error
 * bodies are short {@code text/plain}; clients rely on status and headers only (checklist §0
 * "Error bodies"). Security headers are added by {@link StreamRoutes} around everything.
 * Stateless, thread-safe.
 */
final class ErrorMapping {
  private ErrorMapping() {}

  /** Checklist §16 "Status-code index". A new {@link ErrorCode} constant fails compilation here. */
  static StatusCode statusOf(ErrorCode code) {
    return switch (code) {
      // Missing or expired stream or fork source (checklist §7, §8, §14 "After expiry").
      case STREAM_NOT_FOUND, FORK_SOURCE_NOT_FOUND -> StatusCodes.NOT_FOUND;
      // Soft-deleted while forks still read it (checklist §7 "Soft delete").
      case STREAM_GONE -> StatusCodes.GONE;
      // Config/state conflicts (checklist §2, §3, §4, §5, §6).
      case CONFIG_MISMATCH, STREAM_SOFT_DELETED, FORK_SOURCE_SOFT_DELETED, CONTENT_TYPE_MISMATCH, STREAM_CLOSED,
          SEQ_CONFLICT, PRODUCER_SEQ_GAP -> StatusCodes.CONFLICT;
      // Zombie fencing (checklist §5 "epoch < state.epoch").
      case PRODUCER_EPOCH_STALE -> StatusCodes.FORBIDDEN;
      // Invalid requests the rules detect (checklist §3, §5, §12).
      case PRODUCER_EPOCH_SEQ_NOT_ZERO, INVALID_JSON, EMPTY_JSON_ARRAY, FORK_OFFSET_BEYOND_TAIL,
          FORK_SUB_OFFSET_INVALID, BAD_REQUEST -> StatusCodes.BAD_REQUEST;
      // Checklist §4 "Payload limit".
      case PAYLOAD_TOO_LARGE -> StatusCodes.PAYLOAD_TOO_LARGE;
    };
  }

  /** A rejection with the headers it carries (checklist §4 "Closed stream", §5 403/409). */
  static HttpResponse rejection(Rejection r) {
    var headers = new ArrayList<HttpHeader>(3);
    if (r.nextOffset() != null) headers.add(Headers.nextOffset(r.nextOffset()));
    if (r.closed()) headers.add(Headers.closed());
    if (r.producerEpoch() != null) headers.add(Headers.raw(ProtocolHeaders.PRODUCER_EPOCH, r.producerEpoch().toString()));
    if (r.expectedSeq() != null) {
      headers.add(Headers.raw(ProtocolHeaders.PRODUCER_EXPECTED_SEQ, r.expectedSeq().toString()));
    }
    if (r.receivedSeq() != null) {
      headers.add(Headers.raw(ProtocolHeaders.PRODUCER_RECEIVED_SEQ, r.receivedSeq().toString()));
    }
    return plain(statusOf(r.code()), r.detail() == null ? r.code().name() : r.detail(), headers);
  }

  static HttpResponse badRequest(String message) {
    return plain(StatusCodes.BAD_REQUEST, message, List.of());
  }

  static HttpResponse notFound() {
    return plain(StatusCodes.NOT_FOUND, "not found", List.of());
  }

  /**
   * Any failure of a request's future. Gateway rejections and unavailability, header syntax
   * errors, body framing, body-size and URI errors map to their statuses; anything else is logged
   * and is a 500.
   */
  static HttpResponse toResponse(Throwable failure, LoggingAdapter log) {
    Throwable t = unwrap(failure);
    if (t instanceof StreamRejectedException r) return rejection(r.rejection());
    if (t instanceof BadRequestException b) return badRequest(b.getMessage());
    if (t instanceof StreamUnavailableException || t instanceof OverloadedException) {
      // Outcome unknown; idempotent producers make the retry safe (docs/style.md §4.3).
      return plain(StatusCodes.SERVICE_UNAVAILABLE, "temporarily unavailable, retry",
          List.of(Headers.raw(HttpHeaderNames.RETRY_AFTER, "1")));
    }
    if (t instanceof StorageFullException) {
      // 507 Insufficient Storage (RFC 4918 §11.5: the server cannot store what the request needs),
      // not 503: a 503 here means "outcome unknown", but a full disk refused the write before
      // storing anything, and 507 names the cause for clients and operators. The Durable Streams
      // protocol lists no 5xx (PROTOCOL.md §5.2); its reference client retries every 5xx and
      // honours Retry-After, so this is retried like a 503. Reads keep working meanwhile. The
      // details (volume, free bytes) are in the server log, not in the answer.
      return plain(StatusCodes.INSUFFICIENT_STORAGE, "insufficient storage: the server's disk is full, nothing was"
              + " stored; retry later",
          List.of(Headers.raw(HttpHeaderNames.RETRY_AFTER, "5")));
    }
    if (t instanceof EntityStreamSizeException) return plain(StatusCodes.PAYLOAD_TOO_LARGE, "request body too large", List.of());
    // The body ended before its Content-Length, its chunked framing is broken, or a chunk is over
    // pekko.http.server.parsing.max-chunk-size: Pekko fails the entity stream while the route reads
    // it. What the client sent is wrong, so 400, never 500 (issue: reliability item 6). Pekko closes
    // the connection after this response: the rest of the bytes cannot be framed.
    if (t instanceof EntityStreamException e) return badRequest("malformed request body: " + e.info().summary());
    if (t instanceof IllegalRequestException e) return plain(e.status(), e.info().summary(), List.of());
    if (t instanceof IllegalHeaderException || t instanceof ParsingException || t instanceof InvalidContentLengthException) {
      return badRequest("malformed request: " + ((ExceptionWithErrorInfo) t).info().summary());
    }
    if (t instanceof IllegalUriException) return badRequest("malformed request URI");
    // Only the request-body read times out with a bare TimeoutException; gateway timeouts
    // arrive as StreamUnavailableException.
    if (t instanceof TimeoutException) return plain(StatusCodes.REQUEST_TIMEOUT, "request body not received in time", List.of());
    if (log != null) log.error(t, "request failed");
    return plain(StatusCodes.INTERNAL_SERVER_ERROR, "internal server error", List.of());
  }

  static HttpResponse plain(StatusCode status, String message, List<HttpHeader> headers) {
    return HttpResponse.create()
        .withStatus(status)
        .withEntity(HttpEntities.create(ContentTypes.TEXT_PLAIN_UTF8, message))
        .addHeaders(headers);
  }

  static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
