package dev.sluice.server;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.NotUsed;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.Connection;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.BidiShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.javadsl.BidiFlow;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.AsyncCallback;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;

/**
 * Closes every HTTP connection of the node with a FIN when it stops (README "Shutdown").
 *
 * <p>Why not pekko-http's {@code ServerBinding.terminate}: it fails the stream of every connection
 * that has no request waiting for its response, and a failed connection is aborted, which the
 * client sees as a TCP reset. That is every kept-alive connection between requests, and every SSE
 * response (its head is out, so no response is "pending"), even one that just ended cleanly.
 *
 * <p>Here each connection's handler is wrapped in a stage that counts the requests waiting for a
 * response. Once {@link #begin} is called, a response still to come carries {@code Connection:
 * close}, and as soon as no request waits for a response the stage completes the connection's
 * response stream: pekko-http then closes the connection normally (FIN), after the entity it is
 * sending, if any (an SSE response runs to its end). The stage keeps no per-response state: it
 * runs on every connection, and 5,000 SSE readers on a 256 MiB heap have no room for more. Waking parked
 * long-polls and ending SSE responses is the tail hub's part (same shutdown phase); this only makes
 * sure the connections they leave behind end cleanly. {@code EdgeBinding.terminate} still runs
 * afterwards, for connections busy past the drain timeout.
 */
public final class ConnectionDrain {
  private final Set<AsyncCallback<Boolean>> open = ConcurrentHashMap.newKeySet();
  private final CompletableFuture<Void> allClosed = new CompletableFuture<>();
  private volatile boolean draining;

  /** {@code handler} wrapped for this drain: pass to {@code bindFlow}. Materialized once per connection. */
  public Flow<HttpRequest, HttpResponse, NotUsed> around(Flow<HttpRequest, HttpResponse, NotUsed> handler) {
    return BidiFlow.fromGraph(new Stage()).join(handler);
  }

  /** Starts the drain: idle connections close now, busy ones after their current response. Idempotent. */
  public void begin() {
    draining = true;
    open.forEach(c -> c.invoke(Boolean.TRUE));
    if (open.isEmpty()) allClosed.complete(null);
  }

  /** Completes with the number of connections still open: 0 once all closed, or what is left at {@code timeout}. */
  public CompletionStage<Integer> awaitClosed(Duration timeout) {
    return allClosed.copy().completeOnTimeout(null, timeout.toMillis(), TimeUnit.MILLISECONDS).thenApply(v -> open.size());
  }

  /** Connections open now. */
  public int openConnections() {
    return open.size();
  }

  private void closed(AsyncCallback<Boolean> connection) {
    open.remove(connection);
    if (draining && open.isEmpty()) allClosed.complete(null);
  }

  private final class Stage extends GraphStage<BidiShape<HttpRequest, HttpRequest, HttpResponse, HttpResponse>> {
    private final Inlet<HttpRequest> requestIn = Inlet.create("ConnectionDrain.requestIn");
    private final Outlet<HttpRequest> requestOut = Outlet.create("ConnectionDrain.requestOut");
    private final Inlet<HttpResponse> responseIn = Inlet.create("ConnectionDrain.responseIn");
    private final Outlet<HttpResponse> responseOut = Outlet.create("ConnectionDrain.responseOut");
    private final BidiShape<HttpRequest, HttpRequest, HttpResponse, HttpResponse> shape =
        BidiShape.of(requestIn, requestOut, responseIn, responseOut);

    @Override
    public BidiShape<HttpRequest, HttpRequest, HttpResponse, HttpResponse> shape() {
      return shape;
    }

    @Override
    public GraphStageLogic createLogic(Attributes inheritedAttributes) {
      return new GraphStageLogic(shape) {
        private int waitingForResponse;
        private boolean closing;
        /** Invoked once when the drain begins. */
        private AsyncCallback<Boolean> events;

        {
          setHandler(requestIn, new AbstractInHandler() {
            @Override
            public void onPush() {
              HttpRequest request = grab(requestIn);
              // Pulled before the connection was told to close: it closes without answering it.
              if (isClosed(responseOut)) return;
              waitingForResponse++;
              push(requestOut, request);
            }

            @Override
            public void onUpstreamFinish() {
              complete(requestOut);
            }
          });
          setHandler(requestOut, new AbstractOutHandler() {
            @Override
            public void onPull() {
              if (!isClosed(responseOut) && !hasBeenPulled(requestIn)) pull(requestIn);
            }

            @Override
            public void onDownstreamFinish(Throwable cause) {
              cancel(requestIn, cause);
            }
          });
          setHandler(responseIn, new AbstractInHandler() {
            @Override
            public void onPush() {
              HttpResponse response = grab(responseIn);
              if (isClosed(responseOut)) return;
              waitingForResponse--;
              if (closing) response = response.removeHeader("Connection").addHeader(Connection.create("close"));
              push(responseOut, response);
              closeIfIdle();
            }

            @Override
            public void onUpstreamFinish() {
              if (!isClosed(responseOut)) complete(responseOut);
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

        @Override
        public void preStart() {
          events = createAsyncCallback(drainBegan -> {
            closing = true;
            closeIfIdle();
          });
          open.add(events);
          // Accepted while the drain began (the port unbinds in the same phase): drain it too.
          if (draining) events.invoke(Boolean.TRUE);
        }

        @Override
        public void postStop() {
          closed(events);
        }

        private void closeIfIdle() {
          // Completing the response stream (not failing it, and not cancelling the network side)
          // makes pekko-http close the connection normally once the current entity is sent.
          if (closing && waitingForResponse == 0 && !isClosed(responseOut)) complete(responseOut);
        }
      };
    }
  }
}
