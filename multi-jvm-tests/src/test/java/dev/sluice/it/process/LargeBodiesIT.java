package dev.sluice.it.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.it.support.ItEnv;
import dev.sluice.it.support.NodeProcess;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Many large appends at once against a node with a small heap (256 MB): the node must bound the
 * memory its request bodies take as a whole instead of reading them all and dying. Regression: 20
 * concurrent 60 MB POSTs ran a 1 GB node out of heap (OutOfMemoryError, CoordinatedShutdown timed
 * out, the process exited and every client got a reset); 8 at once gave two 500s.
 *
 * <p>Every request must get an answer a client can act on - 2xx, 413 or 503 with
 * {@code Retry-After} - never a reset or a 500; the node stays up and serves a normal append after.
 */
class LargeBodiesIT {
  static final int CLIENTS = 20;
  static final int BODY = 60_000_000;

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(10)).build();

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void twentyConcurrentSixtyMegabyteAppendsNeverKillASmallNode() throws Exception {
    try (NodeProcess node = NodeProcess.start("LargeBodiesIT", ItEnv.freshDataDir("LargeBodiesIT"))) {
      URI stream = node.streamUri("big");
      assertEquals(201, http.send(HttpRequest.newBuilder(stream).PUT(HttpRequest.BodyPublishers.noBody())
          .header("Content-Type", "application/octet-stream").build(), HttpResponse.BodyHandlers.ofString()).statusCode());

      byte[] body = new byte[BODY];
      Arrays.fill(body, (byte) 'x');
      long t0 = System.nanoTime();
      List<CompletableFuture<String>> outcomes = new ArrayList<>();
      for (int i = 0; i < CLIENTS; i++) {
        // Every fourth body is chunked (no Content-Length): those must be bounded as they arrive.
        HttpRequest.BodyPublisher publisher = i % 4 == 3
            ? HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))
            : HttpRequest.BodyPublishers.ofByteArray(body);
        HttpRequest post = HttpRequest.newBuilder(stream).POST(publisher)
            .header("Content-Type", "application/octet-stream").timeout(Duration.ofSeconds(150)).build();
        outcomes.add(http.sendAsync(post, HttpResponse.BodyHandlers.ofString())
            .thenApply(LargeBodiesIT::outcome)
            .exceptionally(e -> "failed: " + e));
      }
      CompletableFuture.allOf(outcomes.toArray(CompletableFuture[]::new)).get(4, TimeUnit.MINUTES);
      long millis = (System.nanoTime() - t0) / 1_000_000;

      Map<String, Integer> counts = new TreeMap<>();
      for (var o : outcomes) counts.merge(o.get(), 1, Integer::sum);
      System.out.printf("large-bodies: %d x %d bytes in %d ms -> %s%n", CLIENTS, BODY, millis, counts);

      assertTrue(node.isAlive(), "the node survived: " + node.status() + "\n" + node.logTail());
      for (String o : counts.keySet()) {
        assertTrue(o.equals("204") || o.equals("413") || o.equals("503 retry-after"),
            "every request gets 2xx, 413 or 503 with Retry-After, got " + counts);
      }
      int accepted = counts.getOrDefault("204", 0);
      assertTrue(accepted >= 1, "the node still accepts large bodies one after another: " + counts);

      var after = http.send(HttpRequest.newBuilder(stream).POST(HttpRequest.BodyPublishers.ofString("small"))
          .header("Content-Type", "application/octet-stream").build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(204, after.statusCode(), "a normal append works afterwards");
      String tail = after.headers().firstValue("Stream-Next-Offset").orElseThrow();
      assertEquals((long) accepted * BODY + 5, Long.parseLong(tail.substring(tail.indexOf('_') + 1)),
          "exactly the accepted bodies were stored");
      String log = Files.readString(node.logFile());
      assertFalse(log.contains("OutOfMemoryError"), "no OutOfMemoryError in " + node.logFile());
    }
  }

  private static String outcome(HttpResponse<String> r) {
    if (r.statusCode() == 503) return r.headers().firstValue("Retry-After").isPresent() ? "503 retry-after" : "503";
    return Integer.toString(r.statusCode());
  }
}
