package dev.sluice.http;

import java.time.Duration;
import org.apache.pekko.NotUsed;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.ResponseEntity;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.BidiShape;
import org.apache.pekko.stream.javadsl.BidiFlow;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.stage.AsyncCallback;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.util.ByteString;

/**
 * Closes a connection on which no complete request head arrives within {@code sluice.http.request-head-timeout}
 * while it has no request in progress: from when it opens, and again from when its last response
 * has been sent completely. Pekko HTTP has no such timeout; its idle-timeout restarts with every
 * byte, so a client that sends one header byte a second (slowloris) held a connection and a file
 * descriptor forever, and 500 of them stayed open indefinitely.
 *
 * <p>Applied per connection around the handler flow ({@code bindFlow} materializes it once per
 * connection). Requests and responses pass through unchanged except that a streamed response
 * entity (SSE) reports when it ends, so long responses are never cut; while a request is in
 * progress only the usual timeouts apply. The Pekko parser emits a request only when its head is
 * complete, so "no request yet" is "head not complete". The connection is closed without a 408:
 * there is no request to answer.
 *
 * <p>One instance per connection; confined to its stream (not shared).
 */
public final class RequestHeadTimeout extends GraphStage<BidiShape<HttpRequest, HttpRequest, HttpResponse, HttpResponse>> {
  private final BidiShape<HttpRequest, HttpRequest, HttpResponse, HttpResponse> shape =
      PassThroughConnectionLogic.shape("RequestHeadTimeout");
  private final Duration timeout;

  private RequestHeadTimeout(Duration timeout) {
    this.timeout = timeout;
  }

  /** {@code handler} with the head timeout around it: pass to {@code bindFlow}. */
  public static Flow<HttpRequest, HttpResponse, NotUsed> around(Flow<HttpRequest, HttpResponse, ?> handler, Duration timeout) {
    return BidiFlow.fromGraph(new RequestHeadTimeout(timeout)).join(handler);
  }

  @Override
  public BidiShape<HttpRequest, HttpRequest, HttpResponse, HttpResponse> shape() {
    return shape;
  }

  @Override
  public GraphStageLogic createLogic(Attributes inheritedAttributes) {
    return new PassThroughConnectionLogic(shape) {
      private static final String TIMER = "request-head";
      private int requestsInProgress;
      private int responsesStreaming;
      private AsyncCallback<Boolean> streamEnded;

      @Override
      protected HttpRequest onRequest(HttpRequest request) {
        requestsInProgress++;
        cancelTimer(TIMER);
        return request;
      }

      @Override
      protected HttpResponse onResponse(HttpResponse response) {
        requestsInProgress--;
        return watched(response);
      }

      @Override
      protected void afterResponse() {
        armIfIdle();
      }

      @Override
      public void preStart() {
        streamEnded = createAsyncCallback(ignored -> {
          responsesStreaming--;
          armIfIdle();
        });
        armIfIdle();
      }

      private void armIfIdle() {
        if (requestsInProgress == 0 && responsesStreaming == 0) scheduleOnce(TIMER, timeout);
      }

      @Override
      public void onTimer(Object key) {
        // No complete request head in time: close the connection (both directions).
        completeStage();
      }

      /** A streamed entity reports its end (it may run for minutes: SSE); strict ones are sent at once. */
      private HttpResponse watched(HttpResponse response) {
        ResponseEntity entity = response.entity();
        if (entity.isStrict()) return response;
        responsesStreaming++;
        Flow<ByteString, ByteString, NotUsed> watch = Flow.<ByteString>create()
            .watchTermination((nu, done) -> {
              done.whenComplete((d, e) -> streamEnded.invoke(Boolean.TRUE));
              return NotUsed.getInstance();
            });
        var data = entity.getDataBytes().via(watch);
        if (entity instanceof HttpEntity.Default d) {
          return response.withEntity(HttpEntities.create(d.getContentType(), d.getContentLengthOption().getAsLong(), data));
        }
        if (entity instanceof HttpEntity.CloseDelimited) {
          return response.withEntity(HttpEntities.createCloseDelimited(entity.getContentType(), data));
        }
        return response.withEntity(HttpEntities.createChunked(entity.getContentType(), data));
      }
    };
  }
}
