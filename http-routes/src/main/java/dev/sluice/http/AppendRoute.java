package dev.sluice.http;

import static org.apache.pekko.http.javadsl.server.Directives.extractMaterializer;
import static org.apache.pekko.http.javadsl.server.Directives.extractRequest;
import static org.apache.pekko.http.javadsl.server.Directives.post;

import dev.sluice.actors.api.StreamGateway;
import dev.sluice.core.protocol.ContentTypes;
import dev.sluice.core.protocol.ProducerClaim;
import dev.sluice.core.protocol.ProtocolHeaders;
import dev.sluice.core.rules.Commands;
import dev.sluice.core.rules.Payload;
import dev.sluice.core.rules.Payloads;
import java.util.ArrayList;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.Materializer;

/**
 * {@code POST {stream}}: append, close, append-and-close (checklist §4, §5, §6). The HTTP half of
 * the error precedence of checklist §4 [ref]: producer-header syntax (400), then the body
 * (413 above the limit), then empty body without close (400), then body without Content-Type
 * (400); everything after that (404/410, closed, content type, producer, Stream-Seq, JSON) is
 * decided by the rules behind the gateway. Thread-safe.
 */
final class AppendRoute {
  private final StreamGateway gateway;
  private final RequestBodies bodies;

  AppendRoute(StreamGateway gateway, RequestBodies bodies) {
    this.gateway = gateway;
    this.bodies = bodies;
  }

  Route route(String path) {
    return post(() -> extractRequest(req -> extractMaterializer(mat -> Responses.complete(() -> handle(path, req, mat)))));
  }

  CompletionStage<HttpResponse> handle(String path, HttpRequest req, Materializer mat) {
    ProducerClaim producer = Headers.producer(req);
    boolean close = Headers.closeRequested(req);
    String streamSeq = Headers.streamSeq(req);
    String contentType = Headers.requestContentType(req);
    int cost = contentType != null && ContentTypes.isJson(contentType) ? RequestBodies.JSON_COST_FACTOR : 1;
    return bodies.withBody(req, cost, mat, body -> {
      if (body.isEmpty() && !close) {
        return CompletableFuture.failedFuture(new BadRequestException("empty body requires Stream-Closed: true"));
      }
      if (!body.isEmpty() && contentType == null) {
        return CompletableFuture.failedFuture(new BadRequestException("a body requires a Content-Type"));
      }
      // Close-only ignores the Content-Type, even a mismatched one (checklist §6).
      Payload payload = body.isEmpty() ? Payload.EMPTY : Payloads.forContentType(contentType, body);
      var cmd = new Commands.Append(contentType, payload, close, streamSeq, producer);
      return gateway.append(path, cmd).thenApply(result -> render(cmd, result));
    });
  }

  /**
   * Producer appends answer 200 with the producer headers; plain appends, close-only requests
   * (also with producer headers) and producer duplicates answer 204 (checklist §5, §6, §18.5).
   */
  static HttpResponse render(Commands.Append cmd, Commands.AppendResult result) {
    var headers = new ArrayList<HttpHeader>(4);
    headers.add(Headers.nextOffset(result.nextOffset()));
    if (result.closed()) headers.add(Headers.closed());
    if (result.producerEpoch() != null) {
      headers.add(Headers.raw(ProtocolHeaders.PRODUCER_EPOCH, result.producerEpoch().toString()));
    }
    if (result.producerSeq() != null) headers.add(Headers.raw(ProtocolHeaders.PRODUCER_SEQ, result.producerSeq().toString()));
    boolean ok200 = cmd.producer() != null && !result.duplicate() && !cmd.isCloseOnly();
    return Responses.empty(ok200 ? StatusCodes.OK : StatusCodes.NO_CONTENT, headers);
  }
}
