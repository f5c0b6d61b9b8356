package dev.sluice.http;

import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import org.apache.pekko.NotUsed;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.BidiShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.javadsl.BidiFlow;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.util.ByteString;

/**
 * Answers an HTTP/1.0 request that carries {@code Transfer-Encoding} with 400 and closes the
 * connection (RFC 9112 §6.1), instead of the 500 Pekko HTTP 1.3 sends for it: a client must never
 * get a 5xx for what it sent. Pekko frames such a request as chunked and then fails to build its
 * request model inside its server layer, before any handler or parsing-error handler runs, so the
 * check has to sit on the bytes, between the TCP connection and Pekko's server layer
 * ({@link EdgeBinding}).
 *
 * <p>Network bytes go to Pekko as soon as {@link RequestFraming} has placed them; only a request
 * head still arriving is held back until it is complete. When a head is refused, it and everything
 * after it are dropped (read and discarded, so closing never resets the connection), Pekko's side
 * of the request stream completes, and once Pekko has sent the responses to the requests before it
 * and completed its output, the 400 follows and the connection closes.
 *
 * <p>Top: network to Pekko; bottom: Pekko to network. One instance per connection.
 */
public final class Http10TransferEncodingGuard extends GraphStage<BidiShape<ByteString, ByteString, ByteString, ByteString>> {
  private final Inlet<ByteString> fromNet = Inlet.create("Http10TransferEncodingGuard.fromNet");
  private final Outlet<ByteString> toPekko = Outlet.create("Http10TransferEncodingGuard.toPekko");
  private final Inlet<ByteString> fromPekko = Inlet.create("Http10TransferEncodingGuard.fromPekko");
  private final Outlet<ByteString> toNet = Outlet.create("Http10TransferEncodingGuard.toNet");
  private final BidiShape<ByteString, ByteString, ByteString, ByteString> shape = BidiShape.of(fromNet, toPekko, fromPekko, toNet);

  private Http10TransferEncodingGuard() {}

  /** The guard as a layer: join it between the TCP connection's flow and Pekko's server layer. */
  public static BidiFlow<ByteString, ByteString, ByteString, ByteString, NotUsed> layer() {
    return BidiFlow.fromGraph(new Http10TransferEncodingGuard());
  }

  @Override
  public BidiShape<ByteString, ByteString, ByteString, ByteString> shape() {
    return shape;
  }

  /** The 400 for a refused request: like Pekko's own error responses, with the security headers. */
  static ByteString badRequest(String message, ZonedDateTime now) {
    byte[] body = message.getBytes(StandardCharsets.UTF_8);
    var head = new StringBuilder("HTTP/1.1 400 Bad Request\r\n")
        .append("Date: ").append(DateTimeFormatter.RFC_1123_DATE_TIME.format(now.withZoneSameInstant(ZoneOffset.UTC))).append("\r\n")
        .append("Connection: close\r\n");
    for (HttpHeader h : StreamRoutes.securityHeaders()) head.append(h.name()).append(": ").append(h.value()).append("\r\n");
    head.append("Content-Type: text/plain; charset=UTF-8\r\n")
        .append("Content-Length: ").append(body.length).append("\r\n\r\n");
    return ByteString.fromString(head.toString(), StandardCharsets.ISO_8859_1).concat(ByteString.fromArray(body));
  }

  @Override
  public GraphStageLogic createLogic(Attributes inheritedAttributes) {
    return new GraphStageLogic(shape) {
      private final RequestFraming framing = new RequestFraming();
      /** Bytes of the connection already passed to Pekko. */
      private long passed;
      /** Bytes read but not yet placed (part of a request head). */
      private ByteString held = ByteString.emptyByteString();

      {
        setHandler(fromNet, new AbstractInHandler() {
          @Override
          public void onPush() {
            ByteString bytes = grab(fromNet);
            if (framing.rejected()) {
              pull(fromNet); // after the refused head: read and drop until the 400 is out
              return;
            }
            held = held.concat(bytes);
            long cleared = framing.accept(bytes);
            int now = (int) (cleared - passed);
            ByteString out = held.take(now);
            held = held.drop(now);
            passed = cleared;
            if (framing.rejected()) {
              held = ByteString.emptyByteString();
              if (!out.isEmpty()) emit(toPekko, out, () -> complete(toPekko));
              else complete(toPekko);
              pull(fromNet);
            } else if (!out.isEmpty()) {
              push(toPekko, out);
            } else {
              pull(fromNet);
            }
          }

          @Override
          public void onUpstreamFinish() {
            if (framing.rejected()) return; // the 400 follows Pekko's output
            // A head cut short goes to Pekko as it is: it answers or closes as it always did.
            if (!held.isEmpty()) emit(toPekko, held, () -> complete(toPekko));
            else complete(toPekko);
          }
        });
        setHandler(toPekko, new AbstractOutHandler() {
          @Override
          public void onPull() {
            if (!hasBeenPulled(fromNet) && !isClosed(fromNet)) pull(fromNet);
          }

          @Override
          public void onDownstreamFinish(Throwable cause) {
            // Refused: keep reading the network side until the 400 is written.
            if (!framing.rejected()) cancel(fromNet, cause);
          }
        });
        setHandler(fromPekko, new AbstractInHandler() {
          @Override
          public void onPush() {
            push(toNet, grab(fromPekko));
          }

          @Override
          public void onUpstreamFinish() {
            if (framing.rejected()) {
              emit(toNet, badRequest(framing.rejection(), ZonedDateTime.now(ZoneOffset.UTC)), () -> completeStage());
            } else {
              complete(toNet);
            }
          }
        });
        setHandler(toNet, new AbstractOutHandler() {
          @Override
          public void onPull() {
            if (!isClosed(fromPekko)) pull(fromPekko);
          }
        });
      }
    };
  }
}
