package dev.sluice.http;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.ClassicActorSystemProvider;
import org.apache.pekko.event.Logging;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.settings.ServerSettings;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.SharedKillSwitch;
import org.apache.pekko.stream.TLSProtocol;
import org.apache.pekko.stream.javadsl.BidiFlow;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.TLSPlacebo;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;

/**
 * The HTTP server socket: Pekko HTTP's server layer on each TCP connection, with
 * {@link Http10TransferEncodingGuard} between the two. {@code Http.newServerAt(...).bindFlow} offers
 * no place for a stage on the bytes, so this binds the TCP port itself and builds each connection
 * as {@code bindFlow} does: Pekko's server layer ({@code pekko.http.server} settings), its idle
 * timeout on the bytes, and at most {@code max-connections} connections served at once (the rest
 * wait in the accept backlog). Plain HTTP only, as Sluice serves it.
 *
 * <p>{@link #unbind} stops accepting; {@link #terminate} cuts the connections still open after a
 * deadline (the graceful part of a shutdown is the handler's, e.g. a connection drain). Thread-safe.
 */
public final class EdgeBinding {
  private final Tcp.ServerBinding tcp;
  private final SharedKillSwitch connections;
  private final Set<CompletableFuture<Done>> open;

  private EdgeBinding(Tcp.ServerBinding tcp, SharedKillSwitch connections, Set<CompletableFuture<Done>> open) {
    this.tcp = tcp;
    this.connections = connections;
    this.open = open;
  }

  /**
   * Binds {@code host:port} (0: any free port) and serves every connection with its own
   * materialization of {@code handler}. Fails when the port cannot be bound.
   */
  public static CompletionStage<EdgeBinding> bind(ClassicActorSystemProvider system, String host, int port,
                                                  ServerSettings settings, Flow<HttpRequest, HttpResponse, ?> handler) {
    LoggingAdapter log = Logging.getLogger(system.classicSystem(), EdgeBinding.class);
    SharedKillSwitch kill = KillSwitches.shared("sluice-http-connections");
    Set<CompletableFuture<Done>> open = ConcurrentHashMap.newKeySet();
    var idle = settings.getTimeouts().idleTimeout();
    Optional<Duration> idleTimeout = idle.isFinite() ? Optional.of(Duration.ofNanos(idle.toNanos())) : Optional.empty();
    CompletionStage<Tcp.ServerBinding> bound = Tcp.get(system.classicSystem())
        .bind(host, port, settings.getBacklog(), settings.getSocketOptions(), false, Optional.empty())
        .mapAsyncUnordered(settings.getMaxConnections(), conn -> {
          CompletableFuture<Done> closed = serve(system, conn, settings, idleTimeout, handler, kill, log)
              .toCompletableFuture()
              // One connection's failure (a reset, an idle timeout) is that connection's end, not the server's.
              .handle((d, e) -> Done.getInstance());
          open.add(closed);
          closed.whenComplete((d, e) -> open.remove(closed));
          return closed;
        })
        .to(Sink.ignore())
        .run(system);
    return bound.thenApply(tcp -> new EdgeBinding(tcp, kill, open));
  }

  private static CompletionStage<Done> serve(ClassicActorSystemProvider system, Tcp.IncomingConnection conn, ServerSettings settings,
                                             Optional<Duration> idleTimeout, Flow<HttpRequest, HttpResponse, ?> handler,
                                             SharedKillSwitch kill, LoggingAdapter log) {
    BidiFlow<HttpResponse, ByteString, ByteString, HttpRequest, NotUsed> http = Http.get(system.classicSystem())
        .serverLayer(settings, Optional.of(conn.remoteAddress()), log)
        .atop(placebo())
        .atop(Http10TransferEncodingGuard.layer().reversed());
    if (idleTimeout.isPresent()) http = http.atop(BidiFlow.bidirectionalIdleTimeout(idleTimeout.get()));
    Flow<ByteString, ByteString, CompletionStage<Done>> connection = http.reversed().join(handler)
        .via(kill.flow())
        .watchTermination(Keep.right());
    return conn.handleWith(connection, system);
  }

  /** Plain TCP under Pekko's server layer, which speaks TLS records (the placebo unwraps them). */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private static BidiFlow<TLSProtocol.SslTlsOutbound, ByteString, ByteString, TLSProtocol.SslTlsInbound, NotUsed> placebo() {
    return (BidiFlow) TLSPlacebo.getInstance();
  }

  public InetSocketAddress localAddress() {
    return tcp.localAddress();
  }

  /** Stops accepting connections; open ones keep being served. */
  public CompletionStage<Done> unbind() {
    return tcp.unbind().thenApply(u -> Done.getInstance());
  }

  /** Connections open now. */
  public int openConnections() {
    return open.size();
  }

  /**
   * Unbinds, waits up to {@code deadline} for the open connections to close, then aborts the rest
   * (their clients see a reset: whatever they were still sending or receiving is cut).
   */
  public CompletionStage<Done> terminate(Duration deadline) {
    return unbind().thenCompose(d -> CompletableFuture.allOf(open.toArray(CompletableFuture[]::new))
        .completeOnTimeout(null, deadline.toMillis(), TimeUnit.MILLISECONDS)
        .thenApply(v -> {
          if (!open.isEmpty()) connections.abort(new IllegalStateException("HTTP server terminated"));
          return Done.getInstance();
        }));
  }
}
