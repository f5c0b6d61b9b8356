package dev.sluice.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.settings.ServerSettings;
import org.apache.pekko.stream.javadsl.Flow;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link EdgeBinding} serves connections the way {@code Http.newServerAt(...).bindFlow} did. */
class EdgeBindingTest {
  static ActorSystem system;

  @BeforeAll
  static void start() {
    system = ActorSystem.create("edge-binding-test", ConfigFactory.parseString("pekko.loglevel = WARNING").withFallback(ConfigFactory.load()));
  }

  @AfterAll
  static void stop() throws Exception {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** terminate cuts a connection still busy at its deadline, and completes. */
  @Test
  void terminateCutsWhatIsStillBusyAfterTheDeadline() throws Exception {
    // A handler that never answers: the request stays in progress until the connection is cut.
    Flow<HttpRequest, HttpResponse, ?> handler = Flow.of(HttpRequest.class)
        .mapAsync(1, r -> new java.util.concurrent.CompletableFuture<HttpResponse>());
    EdgeBinding b = EdgeBinding.bind(system, "127.0.0.1", 0, ServerSettings.create(system), handler).toCompletableFuture().get(10, TimeUnit.SECONDS);
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", b.localAddress().getPort()), 5_000);
      s.setSoTimeout(10_000);
      s.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
      s.getOutputStream().flush();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (b.openConnections() == 0) {
        if (System.nanoTime() > deadline) throw new AssertionError("the connection was never accepted");
        Thread.onSpinWait();
      }
      b.terminate(Duration.ofMillis(200)).toCompletableFuture().get(10, TimeUnit.SECONDS);
      int read;
      try {
        read = s.getInputStream().read();
      } catch (java.net.SocketException reset) {
        read = -1;
      }
      assertEquals(-1, read, "the connection is closed, no response");
    }
  }

  /** A handler that ends the connection (here: the head timeout) closes it with a FIN, not a reset. */
  @Test
  void aConnectionTheHandlerEndsClosesCleanly() throws Exception {
    Flow<HttpRequest, HttpResponse, ?> handler = RequestHeadTimeout.around(
        Flow.of(HttpRequest.class).map(r -> HttpResponse.create()), Duration.ofMillis(200));
    EdgeBinding b = EdgeBinding.bind(system, "127.0.0.1", 0, ServerSettings.create(system), handler).toCompletableFuture().get(10, TimeUnit.SECONDS);
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", b.localAddress().getPort()), 5_000);
      s.setSoTimeout(10_000);
      InputStream in = s.getInputStream();
      assertEquals(-1, in.read(), "EOF (FIN) expected");
    } finally {
      b.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
