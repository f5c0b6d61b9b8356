package dev.sluice.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.http.javadsl.settings.ServerSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Binds {@link StreamRoutes} over a {@link FakeStreamGateway} on a free loopback port, once per
 * test class, and talks to it with {@code java.net.http} (real wire bytes: exact Content-Type,
 * no Content-Length on SSE...). Tests use unique stream names, so they need no ordering.
 */
abstract class RouteTestBase {
  /** Small limits so 413, pagination and long-poll timeouts are cheap to reach. */
  static final HttpSettings SETTINGS = new HttpSettings("127.0.0.1", 0, Duration.ofMillis(300), Duration.ofSeconds(30),
      Duration.ofMillis(300), 1024, Duration.ofSeconds(10), 64, "*");
  /** 2024-10-09T01:00:00Z: cursor interval 180 (checklist §13). */
  static final Instant NOW = Instant.parse("2024-10-09T01:00:00Z");
  static final long CURRENT_CURSOR = 180;

  static ActorSystem system;
  static EdgeBinding binding;
  static FakeStreamGateway gateway;
  static HttpClient client;
  static String base;
  private static final AtomicInteger ids = new AtomicInteger();

  @BeforeAll
  static void startServer() throws Exception {
    system = ActorSystem.create("routes-test", ConfigFactory.parseString("""
        pekko.loglevel = WARNING
        pekko.http.server.transparent-head-requests = off
        pekko.http.server.parsing.error-handler = "dev.sluice.http.SecureParsingErrorHandler"
        """).withFallback(ConfigFactory.load()));
    gateway = new FakeStreamGateway();
    var route = StreamRoutes.create(gateway, SETTINGS, InstantSource.fixed(NOW));
    // The server's own binding (with its byte-level guard), as SluiceNode binds it.
    binding = EdgeBinding.bind(system, "127.0.0.1", 0, ServerSettings.create(system), route.flow(system))
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    base = "http://127.0.0.1:" + binding.localAddress().getPort();
    client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
  }

  /**
   * Binds the same gateway again with other settings (for example a long long-poll timeout, so a
   * test can wake a waiter without racing its timeout); unbound with the actor system.
   */
  static String bindAnother(HttpSettings settings) throws Exception {
    var route = StreamRoutes.create(gateway, settings, InstantSource.fixed(NOW));
    EdgeBinding b = EdgeBinding.bind(system, "127.0.0.1", 0, ServerSettings.create(system), route.flow(system))
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    return "http://127.0.0.1:" + b.localAddress().getPort();
  }

  @AfterAll
  static void stopServer() throws Exception {
    binding.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** A stream path no other test uses. */
  static String unique(String name) {
    return name + "-" + ids.incrementAndGet();
  }

  static String url(String streamPath) {
    return base + StreamPaths.ROOT + streamPath;
  }

  // ---------------------------------------------------------------- requests

  static HttpRequest.Builder request(String streamPathAndQuery) {
    return HttpRequest.newBuilder(URI.create(url(streamPathAndQuery))).timeout(Duration.ofSeconds(20));
  }

  static HttpResponse<String> send(HttpRequest.Builder b) {
    try {
      return client.send(b.build(), BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static HttpResponse<byte[]> sendBytes(HttpRequest.Builder b) {
    try {
      return client.send(b.build(), BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static BodyPublisher body(String s) {
    return BodyPublishers.ofString(s, StandardCharsets.UTF_8);
  }

  /** PUT with a content type (null: no header) and an optional body, plus header name/value pairs. */
  static HttpResponse<String> put(String path, String contentType, String body, String... headers) {
    var b = request(path).method("PUT", body == null ? BodyPublishers.noBody() : body(body));
    if (contentType != null) b.header("Content-Type", contentType);
    if (headers.length > 0) b.headers(headers);
    return send(b);
  }

  static HttpResponse<String> post(String path, String contentType, String body, String... headers) {
    var b = request(path).method("POST", body == null ? BodyPublishers.noBody() : body(body));
    if (contentType != null) b.header("Content-Type", contentType);
    if (headers.length > 0) b.headers(headers);
    return send(b);
  }

  static HttpResponse<String> get(String pathAndQuery, String... headers) {
    var b = request(pathAndQuery).GET();
    if (headers.length > 0) b.headers(headers);
    return send(b);
  }

  static HttpResponse<String> head(String path) {
    return send(request(path).method("HEAD", BodyPublishers.noBody()));
  }

  static HttpResponse<String> delete(String path) {
    return send(request(path).DELETE());
  }

  /** Creates a stream with the given content type and initial body; asserts 201. */
  static String created(String name, String contentType, String body) {
    String path = unique(name);
    assertEquals(201, put(path, contentType, body).statusCode());
    return path;
  }

  static String header(HttpResponse<?> r, String name) {
    return r.headers().firstValue(name).orElse(null);
  }

  static void assertSecurityHeaders(HttpResponse<?> r) {
    assertEquals("nosniff", header(r, "X-Content-Type-Options"), "nosniff on " + r.statusCode());
    assertEquals("cross-origin", header(r, "Cross-Origin-Resource-Policy"));
    assertEquals("*", header(r, "Access-Control-Allow-Origin"));
    assertTrue(header(r, "Access-Control-Allow-Headers").toLowerCase().contains("if-none-match"));
  }

  // ---------------------------------------------------------------- SSE

  /** One parsed SSE event: its type and its data lines joined by LF (as EventSource does). */
  record SseEvent(String type, String data) {}

  /** An open SSE response: the status/headers plus a reader over the event stream. */
  record SseConnection(HttpResponse<InputStream> response, BufferedReader reader) implements AutoCloseable {
    /** Reads events until {@code stop} accepts one (included) or the server ends the response. */
    List<SseEvent> readUntil(Predicate<SseEvent> stop) throws IOException {
      var events = new ArrayList<SseEvent>();
      String type = null;
      var data = new ArrayList<String>();
      String line;
      while ((line = reader.readLine()) != null) {
        if (line.isEmpty()) {
          if (type != null) {
            var e = new SseEvent(type, String.join("\n", data));
            events.add(e);
            if (stop.test(e)) return events;
          }
          type = null;
          data.clear();
        } else if (line.startsWith("event: ")) {
          type = line.substring(7);
        } else if (line.startsWith("data:")) {
          data.add(line.substring(5));
        } else {
          throw new AssertionError("unexpected SSE line: " + line);
        }
      }
      return events;
    }

    List<SseEvent> readToEnd() throws IOException {
      return readUntil(e -> false);
    }

    @Override
    public void close() throws IOException {
      reader.close();
    }
  }

  /**
   * Opens an SSE read. Lines are split on LF only, so a CR inside a data line would surface as
   * part of the line: the framing tests rely on that to prove CRs never reach the wire.
   */
  static SseConnection sse(String pathAndQuery) throws Exception {
    HttpResponse<InputStream> r = client.send(request(pathAndQuery).GET().build(), BodyHandlers.ofInputStream());
    return new SseConnection(r, new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8)) {
      @Override
      public String readLine() throws IOException {
        var sb = new StringBuilder();
        int c;
        while ((c = read()) != -1) {
          if (c == '\n') return sb.toString();
          sb.append((char) c);
        }
        return sb.length() == 0 ? null : sb.toString();
      }
    });
  }
}
