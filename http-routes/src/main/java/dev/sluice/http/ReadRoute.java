package dev.sluice.http;

import static org.apache.pekko.http.javadsl.server.Directives.extractLog;
import static org.apache.pekko.http.javadsl.server.Directives.extractRequest;
import static org.apache.pekko.http.javadsl.server.Directives.get;

import dev.sluice.actors.api.ReadChunk;
import dev.sluice.actors.api.StreamGateway;
import dev.sluice.core.rules.StreamView;
import dev.sluice.core.Bytes;
import dev.sluice.core.protocol.ContentTypes;
import dev.sluice.core.protocol.Offset;
import dev.sluice.core.protocol.ProtocolHeaders;
import dev.sluice.core.protocol.ReadFrom;
import dev.sluice.core.rules.Cursors;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.pekko.NotUsed;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.TimeoutAccess;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * {@code GET {stream}}: catch-up (checklist §9), long-poll (§10) and SSE (§11) reads, with ETags
 * and cursors (§13). Every GET refreshes a sliding TTL ({@code view(path, true)}, §14). A missing
 * or gone stream answers 404/410 before any waiting or streaming starts. Thread-safe.
 */
final class ReadRoute {
  /** Cache-Control for a chunk that is not at the tail: its bytes never change (checklist §13). */
  static final String CACHEABLE = "public, max-age=60, stale-while-revalidate=300";
  /** Slack on top of the long-poll timeout before Pekko's request-timeout may answer 503. */
  private static final Duration REQUEST_TIMEOUT_SLACK = Duration.ofSeconds(10);

  private final StreamGateway gateway;
  private final HttpSettings settings;
  private final InstantSource clock;

  ReadRoute(StreamGateway gateway, HttpSettings settings, InstantSource clock) {
    this.gateway = gateway;
    this.settings = settings;
    this.clock = clock;
  }

  Route route(String path) {
    return get(() -> extractRequest(req -> extractLog(log -> Responses.complete(() -> handle(path, req, log)))));
  }

  CompletionStage<HttpResponse> handle(String path, HttpRequest req, LoggingAdapter log) {
    Headers.ReadQuery q = Headers.readQuery(req.getUri());
    if (q.live() != Headers.Live.CATCH_UP && q.from() == null) {
      throw new BadRequestException("live reads require an offset parameter");
    }
    ReadFrom from = q.from() == null ? ReadFrom.Start.INSTANCE : q.from();
    return switch (q.live()) {
      case CATCH_UP -> catchUp(path, req, from);
      case LONG_POLL -> longPoll(path, req, from, q.cursor());
      case SSE -> sse(path, from, q.cursor(), log);
    };
  }

  // ---------------------------------------------------------------- catch-up (checklist §9)

  private CompletionStage<HttpResponse> catchUp(String path, HttpRequest req, ReadFrom from) {
    return gateway.view(path, true).thenCompose(view -> {
      if (from == ReadFrom.Now.INSTANCE) return CompletableFuture.completedFuture(atNow(view));
      return gateway.read(view, startPosition(from, view), settings.readChunkBytes())
          .thenApply(chunk -> data(req, chunk, null));
    });
  }

  /** {@code offset=now}: the tail, no data, never cached and without ETag (checklist §9). */
  private static HttpResponse atNow(StreamView view) {
    var headers = new ArrayList<HttpHeader>(4);
    headers.add(Headers.nextOffset(view.info().tail()));
    headers.add(Headers.upToDate());
    if (view.info().closed()) headers.add(Headers.closed());
    headers.add(Headers.cacheControl("no-store"));
    String ct = view.info().contentType();
    byte[] body = ContentTypes.isJson(ct) ? "[]".getBytes(StandardCharsets.US_ASCII) : new byte[0];
    return Responses.withBody(StatusCodes.OK, Headers.contentType(ct), body, headers);
  }

  /**
   * A 200 with data (or an empty read at the tail), or a 304 when {@code If-None-Match} names
   * its ETag. {@code cursor} is set for long-poll responses only.
   */
  private static HttpResponse data(HttpRequest req, ReadChunk chunk, Long cursor) {
    String etag = Headers.etag(chunk);
    var headers = new ArrayList<HttpHeader>(6);
    headers.add(Headers.raw(HttpHeaderNames.ETAG, etag));
    headers.add(Headers.cacheControl(!chunk.upToDate() && !chunk.isEmpty() ? CACHEABLE : "no-cache"));
    if (Headers.ifNoneMatchMatches(req, etag)) return Responses.empty(StatusCodes.NOT_MODIFIED, headers);
    headers.add(Headers.nextOffset(chunk.next()));
    if (chunk.upToDate()) headers.add(Headers.upToDate());
    // Only a response that reaches the final offset of a closed stream says so (checklist §9 "EOF").
    if (chunk.closedAtEnd()) headers.add(Headers.closed());
    if (cursor != null) headers.add(Headers.cursor(cursor));
    String ct = chunk.view().info().contentType();
    return Responses.withBody(StatusCodes.OK, Headers.contentType(ct), body(chunk.units(), ContentTypes.isJson(ct)), headers);
  }

  /** The units as sent: concatenated, or for JSON streams one array of all messages (checklist §12). */
  static byte[] body(List<Bytes> units, boolean json) {
    var out = new ByteArrayOutputStream();
    if (json) out.write('[');
    for (int i = 0; i < units.size(); i++) {
      if (json && i > 0) out.write(',');
      out.writeBytes(units.get(i).unsafeArray());
    }
    if (json) out.write(']');
    return out.toByteArray();
  }

  // ---------------------------------------------------------------- long-poll (checklist §10)

  private CompletionStage<HttpResponse> longPoll(String path, HttpRequest req, ReadFrom from, String clientCursor) {
    allowRequestToOutliveLongPoll(req);
    return gateway.view(path, true).thenCompose(view -> {
      long pos = Math.min(startPosition(from, view), view.tail());
      if (pos < view.tail()) {
        return gateway.read(view, pos, settings.readChunkBytes()).thenApply(c -> data(req, c, cursor(clientCursor)));
      }
      // Never wait on a closed stream at its tail (checklist §10 "Closed stream at tail").
      if (view.info().closed()) return CompletableFuture.completedFuture(closedAtTail(view));
      return gateway.awaitBeyond(path, pos, settings.longPollTimeout()).thenCompose(woke -> {
        if (woke.isEmpty()) {
          return CompletableFuture.completedFuture(Responses.empty(StatusCodes.NO_CONTENT, List.of(
              Headers.nextOffset(Offset.at(pos)), Headers.upToDate(), Headers.cursor(cursor(clientCursor)))));
        }
        StreamView fresh = woke.get();
        if (fresh.tail() <= pos) return CompletableFuture.completedFuture(closedAtTail(fresh));
        return gateway.read(fresh, pos, settings.readChunkBytes()).thenApply(c -> data(req, c, cursor(clientCursor)));
      });
    });
  }

  private static HttpResponse closedAtTail(StreamView view) {
    return Responses.empty(StatusCodes.NO_CONTENT,
        List.of(Headers.nextOffset(view.info().tail()), Headers.upToDate(), Headers.closed()));
  }

  /** Pekko's request-timeout (20 s by default) would otherwise answer 503 during a 30 s long-poll. */
  private void allowRequestToOutliveLongPoll(HttpRequest req) {
    Duration needed = settings.longPollTimeout().plus(REQUEST_TIMEOUT_SLACK);
    req.getHeader(TimeoutAccess.class).ifPresent(h -> {
      var current = h.timeoutAccess().getTimeout();
      if (current.isFinite() && current.toMillis() < needed.toMillis()) h.timeoutAccess().updateTimeout(needed);
    });
  }

  // ---------------------------------------------------------------- SSE (checklist §11)

  private CompletionStage<HttpResponse> sse(String path, ReadFrom from, String clientCursor, LoggingAdapter log) {
    return gateway.view(path, true).thenApply(view -> {
      long pos = Math.min(startPosition(from, view), view.tail());
      SseFrames.Encoding encoding = SseFrames.Encoding.forContentType(view.info().contentType());
      Source<ByteString, NotUsed> events = gateway
          .tail(path, view, pos, settings.sseKeepalive(), settings.sseCycle(), settings.readChunkBytes())
          .map(chunk -> SseFrames.frame(chunk, encoding, cursor(clientCursor)))
          .log("sse-tail", log)
          .addAttributes(Attributes.createLogLevels(
              Attributes.logLevelOff(), Attributes.logLevelOff(), Attributes.logLevelWarning()))
          // Deleted mid-stream or a read failure: end the response cleanly; the client's
          // reconnect then gets the real status (404/410/503).
          .recoverWithRetries(1, Throwable.class, Source::empty);
      var headers = new ArrayList<HttpHeader>(3);
      headers.add(Headers.cacheControl("no-cache"));
      headers.add(Headers.raw(HttpHeaderNames.X_ACCEL_BUFFERING, "no"));
      if (encoding == SseFrames.Encoding.BASE64) headers.add(Headers.raw(ProtocolHeaders.STREAM_SSE_DATA_ENCODING, "base64"));
      // Chunked: no Content-Length, each frame flushed as it is produced (checklist §11, §18.3).
      return HttpResponse.create()
          .withStatus(StatusCodes.OK)
          .withEntity(HttpEntities.createChunked(MediaTypes.TEXT_EVENT_STREAM.toContentType(), events))
          .addHeaders(headers);
    });
  }

  // ---------------------------------------------------------------- shared

  /** Where a read starts: 0 for {@code -1}, the tail for {@code now}, else the offset's position. */
  static long startPosition(ReadFrom from, StreamView view) {
    if (from instanceof ReadFrom.At at) return at.offset().positionOrMax();
    return from == ReadFrom.Now.INSTANCE ? view.tail() : 0;
  }

  /** A response cursor (checklist §13 "Cursor generation", "Cursor monotonicity"). */
  private long cursor(String clientCursor) {
    return Cursors.responseCursor(clientCursor, clock.millis(), ThreadLocalRandom.current().nextLong(1, 3601));
  }
}
