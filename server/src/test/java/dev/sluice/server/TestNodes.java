package dev.sluice.server;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Starting whole Sluice nodes (HTTP, management, storage in a temp directory) in the test JVM, from
 * the same flags {@code bin/sluice} takes, and talking HTTP to them on 127.0.0.1. Nodes never exit
 * the JVM (CoordinatedShutdown's exit-jvm is off).
 */
public final class TestNodes {
  public static final Duration WAIT = Duration.ofSeconds(60);
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private TestNodes() {}

  /** A node's config from {@code bin/sluice} flags, with HTTP and management on any free port. */
  public static Config config(Path dataDir, String... flags) {
    String[] all = new String[flags.length + 8];
    System.arraycopy(new String[] {"--host", "127.0.0.1", "--port", "0", "--management-port", "0", "--data-dir", dataDir.toString()},
        0, all, 0, 8);
    System.arraycopy(flags, 0, all, 8, flags.length);
    return ConfigFactory.parseString("""
        pekko.coordinated-shutdown.exit-jvm = off
        pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off
        """).withFallback(Main.buildConfig(Args.parse(all)));
  }

  public static SluiceNode start(Config config) throws Exception {
    return SluiceNode.start(config).toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  public static Path tempDir(String prefix) {
    try {
      return Files.createTempDirectory(prefix);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static HttpResponse<String> get(String url) {
    return send(HttpRequest.newBuilder(URI.create(url)).GET());
  }

  public static HttpResponse<String> send(HttpRequest.Builder request) {
    try {
      return HTTP.send(request.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Polls GET {@code url} until {@code ok} holds for the response or {@code within} passes; returns that response. */
  public static HttpResponse<String> awaitGet(String url, Duration within, Predicate<HttpResponse<String>> ok) {
    long deadline = System.nanoTime() + within.toNanos();
    HttpResponse<String> last = null;
    while (true) {
      try {
        last = get(url);
        if (ok.test(last)) return last;
      } catch (UncheckedIOException e) {
        // not listening yet / any more: poll again
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("GET " + url + " did not answer as expected within " + within + "; last: "
            + (last == null ? "no answer" : last.statusCode() + " " + last.body()));
      }
      java.util.concurrent.locks.LockSupport.parkNanos(50_000_000);
    }
  }

  public static void stop(SluiceNode node) throws Exception {
    node.stop().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    node.system().getWhenTerminated().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }
}
