package dev.sluice.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.actors.api.StreamGateway;
import dev.sluice.core.rules.Commands;
import java.io.ByteArrayInputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.time.InstantSource;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.http.javadsl.Http;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Admission control of request bodies (issue: large requests killed the node): a node-wide budget,
 * decided before the body is read; 503 + Retry-After while it is spent, 413 for a body that could
 * never fit, and the budget comes back once the write that held it completes.
 */
class BodyAdmissionTest extends RouteTestBase {
  /** Budget 2,000 bytes; max-append-bytes 1,500 (binary) and 666 (JSON, charged three times). */
  static final HttpSettings SMALL = new HttpSettings("127.0.0.1", 0, Duration.ofMillis(300), Duration.ofSeconds(30),
      Duration.ofMillis(300), 1500, Duration.ofSeconds(10), 64, "*", 2000, Duration.ofSeconds(20), 100, 0);

  /** Appends to streams named {@code held-*} wait for this before reaching the fake gateway. */
  static volatile CompletableFuture<Void> release = new CompletableFuture<>();
  static volatile CompletableFuture<Void> holding = new CompletableFuture<>();
  static String small;

  @BeforeAll
  static void bindSmallBudget() throws Exception {
    StreamGateway holdingGateway = (StreamGateway) Proxy.newProxyInstance(StreamGateway.class.getClassLoader(),
        new Class<?>[] {StreamGateway.class}, (proxy, method, args) -> {
          if (method.getName().equals("append") && ((String) args[0]).startsWith("held-")) {
            holding.complete(null);
            return release.thenCompose(v -> gateway.append((String) args[0], (Commands.Append) args[1]));
          }
          try {
            return method.invoke(gateway, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
    var route = StreamRoutes.create(holdingGateway, SMALL, InstantSource.fixed(NOW));
    var b = Http.get(system).newServerAt("127.0.0.1", 0).bind(route).toCompletableFuture().get(10, TimeUnit.SECONDS);
    small = "http://127.0.0.1:" + b.localAddress().getPort();
  }

  private static HttpRequest.Builder at(String path) {
    return HttpRequest.newBuilder(URI.create(small + StreamPaths.ROOT + path)).timeout(Duration.ofSeconds(20));
  }

  private static HttpResponse<String> postSized(String path, String type, int size) {
    return send(at(path).header("Content-Type", type).POST(BodyPublishers.ofString("x".repeat(size))));
  }

  private static HttpResponse<String> postChunked(String path, int size) {
    byte[] data = "y".repeat(size).getBytes();
    return send(at(path).header("Content-Type", "text/plain")
        .POST(BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(data))));
  }

  private static String createdStream(String name, String type) {
    String path = unique(name);
    assertEquals(201, send(at(path).header("Content-Type", type).PUT(BodyPublishers.noBody())).statusCode());
    return path;
  }

  @Test
  void bodiesThatDoNotFitTheBudgetNowAre503WithRetryAfterUntilTheHeldWriteCompletes() throws Exception {
    String held = createdStream("held-a", "text/plain");
    String other = createdStream("other", "text/plain");
    release = new CompletableFuture<>();
    holding = new CompletableFuture<>();
    CompletableFuture<HttpResponse<String>> first = client.sendAsync(
        at(held).header("Content-Type", "text/plain").POST(BodyPublishers.ofString("h".repeat(1500))).build(),
        BodyHandlers.ofString());
    holding.get(10, TimeUnit.SECONDS);

    HttpResponse<String> sized = postSized(other, "text/plain", 1000);
    assertEquals(503, sized.statusCode());
    assertEquals("1", sized.headers().firstValue("Retry-After").orElse(null));
    assertSecurityHeaders(sized);
    assertEquals(503, postChunked(other, 1000).statusCode(), "chunked bodies are counted as they arrive");
    assertEquals(204, postSized(other, "text/plain", 400).statusCode(), "what still fits is admitted");

    release.complete(null);
    assertEquals(204, first.get(10, TimeUnit.SECONDS).statusCode());
    assertEquals(204, postSized(other, "text/plain", 1000).statusCode(), "the budget came back");
    assertEquals(204, postChunked(other, 1000).statusCode());
  }

  @Test
  void aBodyThatCouldNeverFitIs413() {
    String path = createdStream("never", "text/plain");
    assertEquals(413, postSized(path, "text/plain", 1501).statusCode());
    assertEquals(413, postChunked(path, 1501).statusCode());
    String json = createdStream("never-json", "application/json");
    String big = "[" + "1,".repeat(550) + "1]";
    assertEquals(413, send(at(json).header("Content-Type", "application/json").POST(BodyPublishers.ofString(big)))
        .statusCode(), "JSON bodies cost three times their size");
    assertEquals(204, send(at(json).header("Content-Type", "application/json")
        .POST(BodyPublishers.ofString("[" + "1,".repeat(300) + "1]"))).statusCode());
  }

  @Test
  void theConnectionStaysUsableAfterARefusal() {
    // The refused body is read and discarded, so the client reads the answer, not a reset, and
    // its next request on the same connection works.
    String path = createdStream("reuse", "text/plain");
    for (int i = 0; i < 5; i++) {
      assertEquals(413, postSized(path, "text/plain", 1501).statusCode());
      assertEquals(204, postSized(path, "text/plain", 10).statusCode());
    }
    assertTrue(get(path).statusCode() < 500);
  }
}
