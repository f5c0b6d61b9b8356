package dev.sluice.it.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.sluice.it.support.ItEnv;
import dev.sluice.it.support.NodeProcess;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A seeded fuzz test against a real node (issue "reliability", item 6: a client never gets a 5xx
 * for what it sent). It writes streams with known bytes, then sends a barrage of random and
 * mutated requests ({@link RequestFuzzer}: bad headers and numbers, offsets, paths, bodies, broken
 * Content-Length and chunked framing, raw garbage, pipelines) over raw sockets, and asserts:
 *
 * <ul>
 *   <li>no response is a 5xx, and every connection is answered or closed within the timeout;
 *   <li>the node stays up: its process lives and {@code /health} answers 200 throughout;
 *   <li>every stream written before the barrage reads back byte for byte, with its tail and closure.
 * </ul>
 *
 * <p>Bounded: {@code sluice.fuzz.requests} requests (default 3000) or {@code sluice.fuzz.seconds}
 * of barrage (default 30), whichever ends first. The seed is fixed by default so the build is
 * deterministic; {@code -Dsluice.fuzz.seed=N} replays a run, {@code -Dsluice.fuzz.seed=random}
 * explores a new one. The seed and the replay command are printed at the start and in every failure.
 */
class BadInputFuzzIT {
  private static final long DEFAULT_SEED = 0x5106E_F022L;
  private static final int SOCKET_TIMEOUT_MILLIS = 10_000;
  private static final int MAX_REPORTED = 15;

  private final HttpClient http = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

  /** A stream written before the barrage: its encoded name, content type, bytes, tail, closure. */
  private record Kept(String name, String contentType, byte[] bytes, String tail, boolean closed) {}

  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void malformedRequestsNeverGetA5xxNeverStopTheNodeAndNeverTouchWrittenData() throws Exception {
    long seed = seed();
    int maxRequests = Integer.getInteger("sluice.fuzz.requests", 3000);
    Duration budget = Duration.ofSeconds(Long.getLong("sluice.fuzz.seconds", 30));
    String replay = "./mvnw -B verify -pl multi-jvm-tests -am -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false"
        + " -Dit.test=BadInputFuzzIT -Dsluice.fuzz.seed=" + seed + " -Dsluice.fuzz.requests=" + maxRequests;
    System.out.printf("fuzz: seed=%d requests<=%d budget=%s%nfuzz: replay with: %s%n", seed, maxRequests, budget, replay);

    try (NodeProcess node = NodeProcess.start("BadInputFuzzIT", ItEnv.freshDataDir("BadInputFuzzIT"))) {
      Map<String, Kept> kept = writeKnownStreams(node, new Random(seed));
      List<String> readable = new ArrayList<>(kept.keySet());
      List<String> writable = kept.values().stream().filter(k -> !k.closed()).map(Kept::name).toList();
      var fuzzer = new RequestFuzzer(seed, readable, writable);

      String host = node.baseUri().getHost();
      int port = node.baseUri().getPort();
      var failures = new ArrayList<String>();
      var statusCounts = new TreeMap<Integer, Integer>();
      var kinds = new TreeMap<String, Integer>();
      int sent = 0;
      int closedWithoutAnswer = 0;
      long start = System.nanoTime();
      long deadline = start + budget.toNanos();
      while (sent < maxRequests && System.nanoTime() < deadline && failures.size() < MAX_REPORTED) {
        RequestFuzzer.Case c = fuzzer.next();
        sent++;
        kinds.merge(c.kind(), 1, Integer::sum);
        RawHttp.Outcome o;
        try {
          o = RawHttp.exchange(host, port, c.bytes(), c.methods(), SOCKET_TIMEOUT_MILLIS);
        } catch (IOException e) {
          failures.add(report(sent, c, "I/O error: " + e));
          continue;
        }
        o.statuses().forEach(s -> statusCounts.merge(s, 1, Integer::sum));
        if (o.statuses().isEmpty()) closedWithoutAnswer++;
        if (o.any5xx()) failures.add(report(sent, c, "5xx: " + o.statuses() + "\n  response: " + o.firstHead()));
        if (o.timedOut()) failures.add(report(sent, c, "no answer and no close within " + SOCKET_TIMEOUT_MILLIS + " ms"));
        if (sent % 250 == 0) assertAlive(node, sent, seed, replay);
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      System.out.printf("fuzz: seed=%d sent=%d in %.1f s (%.0f/s); kinds=%s; statuses=%s; closed without answer=%d%n",
          seed, sent, seconds, sent / seconds, kinds, statusCounts, closedWithoutAnswer);

      if (!failures.isEmpty()) {
        fail(failures.size() + " bad outcome(s) in " + sent + " requests, seed=" + seed + "\nreplay: " + replay
            + "\nnode log: " + node.logFile() + "\n\n" + String.join("\n\n", failures));
      }
      assertAlive(node, sent, seed, replay);
      for (Kept k : kept.values()) assertIntact(node, k, seed);
      assertTrue(sent >= Math.min(maxRequests, 200), "the barrage sent only " + sent + " requests (seed " + seed + ")");
    }
  }

  private static long seed() {
    String s = System.getProperty("sluice.fuzz.seed", "");
    if (s.isBlank()) return DEFAULT_SEED;
    if (s.equals("random")) return new java.security.SecureRandom().nextLong();
    return Long.parseLong(s);
  }

  private static String report(int n, RequestFuzzer.Case c, String what) {
    return "#" + n + " [" + c.kind() + "] " + what + "\n  request: " + c.printable(1500);
  }

  // ---------------------------------------------------------------- known data

  /**
   * Streams of each kind with data the barrage must not change: text, binary (every byte value,
   * appended plain, chunked and by an idempotent producer), JSON, closed, a nested name with an
   * encoded space, a TTL stream, and a fork.
   */
  private Map<String, Kept> writeKnownStreams(NodeProcess node, Random random) throws Exception {
    var kept = new LinkedHashMap<String, Kept>();

    var text = new ByteArrayOutputStream();
    text.writeBytes("hello\r\nworld\n".getBytes(StandardCharsets.UTF_8));
    expect(201, send(node, "PUT", "keep-text", "text/plain", text.toByteArray()));
    for (int i = 0; i < 5; i++) {
      byte[] more = ("line " + i + " \u00e9\u4e2d " + random.nextLong() + "\n").getBytes(StandardCharsets.UTF_8);
      expect(204, send(node, "POST", "keep-text", "text/plain", more));
      text.writeBytes(more);
    }
    String textTail = tail(node, "keep-text");

    var bin = new ByteArrayOutputStream();
    expect(201, send(node, "PUT", "keep-bin", "application/octet-stream", new byte[0]));
    byte[] all = new byte[256];
    for (int i = 0; i < 256; i++) all[i] = (byte) i;
    expect(204, send(node, "POST", "keep-bin", "application/octet-stream", all));
    bin.writeBytes(all);
    byte[] randomBlock = new byte[20_000];
    random.nextBytes(randomBlock);
    expect(204, sendChunked(node, "keep-bin", "application/octet-stream", randomBlock));
    bin.writeBytes(randomBlock);
    for (int seq = 0; seq < 3; seq++) {
      byte[] b = new byte[1 + random.nextInt(500)];
      random.nextBytes(b);
      expect(200, send(node, "POST", "keep-bin", "application/octet-stream", b,
          "Producer-Id", "writer", "Producer-Epoch", "0", "Producer-Seq", Integer.toString(seq)));
      bin.writeBytes(b);
    }

    expect(201, send(node, "PUT", "keep-json", "application/json", utf8("[{\"a\":1},\"x\"]")));
    expect(204, send(node, "POST", "keep-json", "application/json", utf8("[2,[3,4]]")));
    expect(204, send(node, "POST", "keep-json", "application/json", utf8("{\"b\":null}")));
    byte[] json = utf8("[{\"a\":1},\"x\",2,[3,4],{\"b\":null}]");

    expect(201, send(node, "PUT", "keep-closed", "text/plain", utf8("final words"), "Stream-Closed", "true"));
    expect(201, send(node, "PUT", "keep/nested%20name", "text/plain", utf8("nested")));
    expect(204, send(node, "POST", "keep/nested%20name", "text/plain", utf8(" data")));
    expect(201, send(node, "PUT", "keep-ttl", "text/plain", utf8("ttl"), "Stream-TTL", "3600"));
    expect(201, send(node, "PUT", "keep-fork", null, new byte[0], "Stream-Forked-From", "/v1/stream/keep-text"));
    expect(204, send(node, "POST", "keep-fork", "text/plain", utf8("+fork")));

    put(kept, node, "keep-text", "text/plain", text.toByteArray(), false);
    put(kept, node, "keep-bin", "application/octet-stream", bin.toByteArray(), false);
    put(kept, node, "keep-json", "application/json", json, false);
    put(kept, node, "keep-closed", "text/plain", utf8("final words"), true);
    put(kept, node, "keep/nested%20name", "text/plain", utf8("nested data"), false);
    put(kept, node, "keep-ttl", "text/plain", utf8("ttl"), false);
    byte[] fork = concat(text.toByteArray(), utf8("+fork"));
    put(kept, node, "keep-fork", "text/plain", fork, false);
    assertEquals(textTail, kept.get("keep-text").tail());
    for (Kept k : kept.values()) assertIntact(node, k, -1);
    return kept;
  }

  private void put(Map<String, Kept> kept, NodeProcess node, String name, String ct, byte[] bytes, boolean closed)
      throws Exception {
    kept.put(name, new Kept(name, ct, bytes, tail(node, name), closed));
  }

  /** The stream reads back exactly (paging by Stream-Next-Offset), with the same tail and closure. */
  private void assertIntact(NodeProcess node, Kept k, long seed) throws Exception {
    String why = k.name() + " after the barrage (seed " + seed + ")";
    HttpResponse<Void> head = http.send(HttpRequest.newBuilder(node.streamUri(k.name())).method("HEAD",
        BodyPublishers.noBody()).timeout(Duration.ofSeconds(10)).build(), BodyHandlers.discarding());
    assertEquals(200, head.statusCode(), why);
    assertEquals(k.tail(), head.headers().firstValue("Stream-Next-Offset").orElse(null), why + ": tail");
    assertEquals(k.closed(), head.headers().firstValue("Stream-Closed").isPresent(), why + ": closed");
    assertEquals(k.contentType(), head.headers().firstValue("Content-Type").orElse(null), why + ": content type");

    var read = new ByteArrayOutputStream();
    String offset = "-1";
    for (int page = 0; page < 1000; page++) {
      HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(node.streamUri(k.name()) + "?offset=" + offset))
          .timeout(Duration.ofSeconds(10)).build(), BodyHandlers.ofByteArray());
      assertEquals(200, r.statusCode(), why);
      read.writeBytes(r.body());
      offset = r.headers().firstValue("Stream-Next-Offset").orElseThrow();
      if (r.headers().firstValue("Stream-Up-To-Date").isPresent()) break;
      assertTrue(!k.contentType().equals("application/json"), why + ": JSON streams here fit one page");
    }
    assertArrayEquals(k.bytes(), read.toByteArray(), why + ": bytes");
  }

  private void assertAlive(NodeProcess node, int sent, long seed, String replay) throws Exception {
    assertTrue(node.isAlive(), "node died after " + sent + " requests (" + node.status() + "), seed " + seed
        + "\nreplay: " + replay + "\n" + node.logTail());
    HttpResponse<String> health = http.send(HttpRequest.newBuilder(node.baseUri().resolve("/health"))
        .timeout(Duration.ofSeconds(5)).build(), BodyHandlers.ofString());
    assertEquals(200, health.statusCode(), "health after " + sent + " requests, seed " + seed + "\nreplay: " + replay);
  }

  // ---------------------------------------------------------------- plain HTTP for the setup

  private HttpResponse<String> send(NodeProcess node, String method, String name, String contentType, byte[] body,
                                    String... headers) throws Exception {
    var b = HttpRequest.newBuilder(node.streamUri(name)).timeout(Duration.ofSeconds(10))
        .method(method, body.length == 0 ? BodyPublishers.noBody() : BodyPublishers.ofByteArray(body));
    if (contentType != null) b.header("Content-Type", contentType);
    if (headers.length > 0) b.headers(headers);
    return http.send(b.build(), BodyHandlers.ofString());
  }

  /** A POST whose body is sent chunked (no Content-Length: the publisher's length is unknown). */
  private HttpResponse<String> sendChunked(NodeProcess node, String name, String contentType, byte[] body) throws Exception {
    var publisher = BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(body));
    return http.send(HttpRequest.newBuilder(node.streamUri(name)).timeout(Duration.ofSeconds(10))
        .header("Content-Type", contentType).POST(publisher).build(), BodyHandlers.ofString());
  }

  private String tail(NodeProcess node, String name) throws Exception {
    HttpResponse<Void> head = http.send(HttpRequest.newBuilder(node.streamUri(name)).method("HEAD", BodyPublishers.noBody())
        .timeout(Duration.ofSeconds(10)).build(), BodyHandlers.discarding());
    expect(200, head);
    return head.headers().firstValue("Stream-Next-Offset").orElseThrow();
  }

  private static void expect(int status, HttpResponse<?> r) {
    assertEquals(status, r.statusCode(), () -> r.request().method() + " " + r.uri() + ": " + r.body());
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] c = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }
}
