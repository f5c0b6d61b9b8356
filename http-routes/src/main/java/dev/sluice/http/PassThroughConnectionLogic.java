package dev.sluice.http;

import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.stream.BidiShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.TimerGraphStageLogic;

/**
 * The logic of a stage around one connection's handler that passes every request and every
 * response through, one for one, letting the subclass look at (or replace) each on its way:
 * {@link RequestHeadTimeout} and the server's request metrics. Demand, completion and cancellation
 * go straight through. A timer logic, so a subclass can schedule (the head timeout does).
 *
 * <p>Shape: top, requests into the handler ({@code in1} to {@code out1}); bottom, its responses
 * ({@code in2} to {@code out2}).
 */
public abstract class PassThroughConnectionLogic extends TimerGraphStageLogic {
  protected PassThroughConnectionLogic(BidiShape<HttpRequest, HttpRequest, HttpResponse, HttpResponse> shape) {
    super(shape);
    Inlet<HttpRequest> requestIn = shape.in1();
    Outlet<HttpRequest> requestOut = shape.out1();
    Inlet<HttpResponse> responseIn = shape.in2();
    Outlet<HttpResponse> responseOut = shape.out2();
    setHandler(requestIn, new AbstractInHandler() {
      @Override
      public void onPush() {
        push(requestOut, onRequest(grab(requestIn)));
      }

      @Override
      public void onUpstreamFinish() {
        complete(requestOut);
      }
    });
    setHandler(requestOut, new AbstractOutHandler() {
      @Override
      public void onPull() {
        pull(requestIn);
      }

      @Override
      public void onDownstreamFinish(Throwable cause) {
        cancel(requestIn, cause);
      }
    });
    setHandler(responseIn, new AbstractInHandler() {
      @Override
      public void onPush() {
        push(responseOut, onResponse(grab(responseIn)));
        afterResponse();
      }

      @Override
      public void onUpstreamFinish() {
        complete(responseOut);
      }
    });
    setHandler(responseOut, new AbstractOutHandler() {
      @Override
      public void onPull() {
        pull(responseIn);
      }

      @Override
      public void onDownstreamFinish(Throwable cause) {
        cancel(responseIn, cause);
      }
    });
  }

  /** The shape of such a stage, its four ports named after {@code stage} (as they appear in stream errors). */
  public static BidiShape<HttpRequest, HttpRequest, HttpResponse, HttpResponse> shape(String stage) {
    return BidiShape.of(Inlet.<HttpRequest>create(stage + ".requestIn"), Outlet.<HttpRequest>create(stage + ".requestOut"),
        Inlet.<HttpResponse>create(stage + ".responseIn"), Outlet.<HttpResponse>create(stage + ".responseOut"));
  }

  /** A request on its way into the handler; returns what to pass on. */
  protected abstract HttpRequest onRequest(HttpRequest request);

  /** A response on its way out; returns what to pass on. */
  protected abstract HttpResponse onResponse(HttpResponse response);

  /** After a response was passed on. */
  protected void afterResponse() {}
}
