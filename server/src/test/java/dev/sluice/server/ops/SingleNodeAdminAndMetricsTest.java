package dev.sluice.server.ops;

import static dev.sluice.server.TestNodes.WAIT;
import static dev.sluice.server.TestNodes.awaitGet;
import static dev.sluice.server.TestNodes.get;
import static dev.sluice.server.TestNodes.send;
import static dev.sluice.server.ops.PrometheusText.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.server.SluiceNode;
import dev.sluice.server.TestNodes;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The operator endpoints of a single node on its HTTP port: {@code GET /admin/streams/<stream>} and
 * {@code GET /metrics} (Prometheus text that parses, with the counters moving as appends and live
 * readers come and go).
 */
class SingleNodeAdminAndMetricsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static SluiceNode node;
  private static String base;

  @BeforeAll
  static void start() throws Exception {
    node = TestNodes.start(TestNodes.config(TestNodes.tempDir("sluice-ops"), "--sse-cycle", "2s", "--long-poll-timeout", "30s"));
    base = node.baseUrl();
    awaitGet(base + "/health", WAIT, r -> r.statusCode() == 200);
  }

  @AfterAll
  static void stop() throws Exception {
    TestNodes.stop(node);
  }

  private static HttpResponse<String> put(String stream) {
    return send(HttpRequest.newBuilder(URI.create(base + "/v1/stream/" + stream)).header("Content-Type", "text/plain")
        .PUT(HttpRequest.BodyPublishers.noBody()));
  }

  private static HttpResponse<String> post(String stream, String body) {
    return send(HttpRequest.newBuilder(URI.create(base + "/v1/stream/" + stream)).header("Content-Type", "text/plain")
        .POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  @Test
  void adminStreamsShowsAStreamOfASingleNode() throws Exception {
    assertEquals(201, put("admin/a").statusCode());
    for (int i = 0; i < 3; i++) assertEquals(204, post("admin/a", "hello").statusCode());

    HttpResponse<String> r = get(base + "/admin/streams/admin/a");
    assertEquals(200, r.statusCode(), r.body());
    assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
    JsonNode j = JSON.readTree(r.body());
    assertEquals("admin/a", j.get("stream").asText());
    assertEquals("0000000000000000_0000000000000015", j.get("tailOffset").asText());
    assertEquals("0000000000000000_0000000000000015", j.get("committedOffset").asText());
    assertEquals(node.system().address().toString(), j.get("owner").asText(), "a single node owns every stream");
    assertEquals(false, j.get("replicated").asBoolean());
    assertTrue(j.get("epoch").isNull(), "no epoch without replication");
    assertEquals(1, j.get("nodes").size());
    assertEquals(15, j.get("nodes").get(0).get("storedBytes").asLong());
  }

  @Test
  void adminStreamsAnswers404ForAnUnknownStreamAnd400ForNoName() throws Exception {
    HttpResponse<String> r = get(base + "/admin/streams/no/such/stream");
    assertEquals(404, r.statusCode());
    JsonNode j = JSON.readTree(r.body());
    assertEquals("stream not found", j.get("error").asText());
    assertEquals("no/such/stream", j.get("stream").asText());
    assertEquals(400, get(base + "/admin/streams/").statusCode());
    assertEquals(400, get(base + "/admin/streams/a//b").statusCode());
  }

  @Test
  void metricsParseAndMoveWithAppends() throws Exception {
    Map<String, Double> before = PrometheusText.parse(get(base + "/metrics").body());
    assertEquals(201, put("metrics/a").statusCode());
    for (int i = 0; i < 5; i++) assertEquals(204, post("metrics/a", "0123456789").statusCode());

    HttpResponse<String> r = get(base + "/metrics");
    assertEquals(200, r.statusCode());
    assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"),
        r.headers().firstValue("Content-Type").orElse(""));
    Map<String, Double> after = PrometheusText.parse(r.body());

    assertEquals(5, value(after, "sluice_appends_acknowledged_total") - valueOr0(before, "sluice_appends_acknowledged_total"));
    assertTrue(value(after, "sluice_journal_appended_units_total") - valueOr0(before, "sluice_journal_appended_units_total") >= 5);
    assertTrue(value(after, "sluice_journal_appended_bytes_total") - valueOr0(before, "sluice_journal_appended_bytes_total") >= 50);
    assertTrue(value(after, "sluice_journal_writes_total") - valueOr0(before, "sluice_journal_writes_total") >= 6, "create + 5 appends");
    assertTrue(value(after, "sluice_http_requests_seconds_count{method=\"POST\",status=\"2xx\"}") >= 5);
    assertTrue(after.containsKey("sluice_http_requests_seconds_bucket{method=\"POST\",status=\"2xx\",le=\"0.005\"}"), "latency histogram");
    assertTrue(value(after, "sluice_storage_group_commit_batch_count") >= 6);
    assertTrue(value(after, "sluice_storage_group_commit_write_seconds_count") >= 6);
    assertEquals(1.0, value(after, "sluice_ready"));
    // Subscriptions are on by default: a new one starts its entity (a recovery of nothing) and is indexed.
    var sub = send(HttpRequest.newBuilder(URI.create(base + "/v1/stream/__ds/subscriptions/metrics-sub"))
        .header("Content-Type", "application/json")
        .PUT(HttpRequest.BodyPublishers.ofString("{\"type\":\"pull-wake\",\"pattern\":\"metrics/*\",\"wake_stream\":\"metrics-wakes\"}")));
    assertEquals(201, sub.statusCode(), sub.body());
    Map<String, Double> withSub = PrometheusText.parse(get(base + "/metrics").body());
    assertTrue(value(withSub, "sluice_subscriptions_recoveries_total") - valueOr0(after, "sluice_subscriptions_recoveries_total") >= 1);
    assertTrue(value(withSub, "sluice_subscriptions_indexed") >= 1);
    assertEquals(0.0, value(withSub, "sluice_subscriptions_recovery_replayed_events_total"), "nothing to replay for new ones");
    assertEquals(0.0, value(withSub, "sluice_subscriptions_recovery_replayed_events_max"));
    assertTrue(value(after, "jvm_memory_used_bytes{area=\"heap\",id=\"G1 Eden Space\"}") >= 0 || after.keySet().stream()
        .anyMatch(k -> k.startsWith("jvm_memory_used_bytes")));
    assertTrue(after.keySet().stream().anyMatch(k -> k.startsWith("jvm_gc_")), "GC metrics");
    assertTrue(after.keySet().stream().anyMatch(k -> k.startsWith("jvm_threads_live_threads")), "thread metrics");
    assertTrue(after.keySet().stream().noneMatch(k -> k.contains("metrics/a")), "never a stream path as a label");
    assertTrue(after.keySet().stream().noneMatch(k -> k.startsWith("sluice_replication_")), "no replication on a single node");
  }

  @Test
  void liveReadersAreCountedWhileTheyWait() throws Exception {
    assertEquals(201, put("metrics/live").statusCode());
    HttpClient client = HttpClient.newHttpClient();
    CompletableFuture<HttpResponse<String>> poll = client.sendAsync(
        HttpRequest.newBuilder(URI.create(base + "/v1/stream/metrics/live?offset=now&live=long-poll")).build(),
        HttpResponse.BodyHandlers.ofString());
    awaitGet(base + "/metrics", WAIT, m -> liveReaders(m.body(), "long-poll") == 1);
    assertEquals(204, post("metrics/live", "wake").statusCode());
    assertEquals(200, poll.get(WAIT.toSeconds(), TimeUnit.SECONDS).statusCode());
    awaitGet(base + "/metrics", WAIT, m -> liveReaders(m.body(), "long-poll") == 0);

    // An SSE reader counts while its stream is open; the server ends it after --sse-cycle (2 s).
    CompletableFuture<HttpResponse<InputStream>> sse = client.sendAsync(
        HttpRequest.newBuilder(URI.create(base + "/v1/stream/metrics/live?offset=-1&live=sse")).build(),
        HttpResponse.BodyHandlers.ofInputStream());
    HttpResponse<InputStream> sseResponse = sse.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertEquals(200, sseResponse.statusCode());
    awaitGet(base + "/metrics", WAIT, m -> liveReaders(m.body(), "sse") == 1);
    try (InputStream in = sseResponse.body()) {
      in.readAllBytes(); // until the server closes it
    }
    awaitGet(base + "/metrics", WAIT, m -> liveReaders(m.body(), "sse") == 0);
  }

  /** A long-poll whose client is gone (a reset) no longer counts, long before its 30 s timeout. */
  @Test
  void aLongPollWhoseConnectionIsResetStopsCounting() throws Exception {
    assertEquals(201, put("metrics/reset").statusCode());
    URI u = URI.create(base);
    try (Socket s = new Socket(u.getHost(), u.getPort())) {
      s.getOutputStream().write("GET /v1/stream/metrics/reset?offset=now&live=long-poll HTTP/1.1\r\nHost: x\r\n\r\n"
          .getBytes(StandardCharsets.ISO_8859_1));
      awaitGet(base + "/metrics", WAIT, m -> liveReaders(m.body(), "long-poll") == 1);
      s.setSoLinger(true, 0); // close with a reset
    }
    awaitGet(base + "/metrics", Duration.ofSeconds(10), m -> liveReaders(m.body(), "long-poll") == 0);
  }

  private static double liveReaders(String metrics, String mode) {
    return value(PrometheusText.parse(metrics), "sluice_live_readers{mode=\"" + mode + "\"}");
  }

  private static double valueOr0(Map<String, Double> samples, String key) {
    return samples.getOrDefault(key, 0.0);
  }
}
