package dev.sluice.server.ops;

import dev.sluice.http.PassThroughConnectionLogic;
import java.util.ArrayDeque;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.BidiShape;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;

/**
 * Measures each request of one connection between the request entering the handler and its
 * response leaving it ({@link SluiceMetrics#instrument}). A stage on the connection, not a route
 * directive: {@code mapResponse} around the routes maps the route's future, and a future that is not
 * complete yet (every append: it waits for the fsync) is mapped by a task on the dispatcher, one
 * more thread hand-off per request: the likely cause of metrics costing a quarter of the append
 * throughput on a 2-core machine (README "Operating", metrics). Here recording is a few field
 * updates on the connection's own stream.
 *
 * <p>Responses of a connection come in the order of its requests (HTTP/1.1), so the requests in
 * flight are a queue. Top: requests into the handler; bottom: its responses. One per connection.
 */
final class RequestMetricsStage extends GraphStage<BidiShape<HttpRequest, HttpRequest, HttpResponse, HttpResponse>> {
  private final BidiShape<HttpRequest, HttpRequest, HttpResponse, HttpResponse> shape =
      PassThroughConnectionLogic.shape("RequestMetrics");
  private final SluiceMetrics metrics;

  RequestMetricsStage(SluiceMetrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public BidiShape<HttpRequest, HttpRequest, HttpResponse, HttpResponse> shape() {
    return shape;
  }

  @Override
  public GraphStageLogic createLogic(Attributes inheritedAttributes) {
    return new PassThroughConnectionLogic(shape) {
      private final ArrayDeque<SluiceMetrics.InFlight> inFlight = new ArrayDeque<>(2);

      @Override
      protected HttpRequest onRequest(HttpRequest request) {
        inFlight.addLast(metrics.begin(request));
        return request;
      }

      @Override
      protected HttpResponse onResponse(HttpResponse response) {
        SluiceMetrics.InFlight request = inFlight.pollFirst();
        return request == null ? response : metrics.end(request, response);
      }

      @Override
      public void postStop() {
        // The connection ended before these were answered: they no longer wait (long-poll gauge).
        for (SluiceMetrics.InFlight request : inFlight) metrics.abandoned(request);
        inFlight.clear();
      }
    };
  }
}
