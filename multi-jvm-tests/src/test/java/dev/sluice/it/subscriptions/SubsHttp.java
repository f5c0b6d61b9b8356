package dev.sluice.it.subscriptions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.Predicate;

/** A small JSON client for the streams and the {@code __ds} subscription API of one node. */
final class SubsHttp {
  static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final URI base;

  record Res(int status, String body) {
    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new AssertionError("not JSON (" + status + "): " + body, e);
      }
    }
  }

  SubsHttp(URI base) {
    this.base = base;
  }

  URI base() {
    return base;
  }

  Res send(String method, String path, String body, String bearer) throws IOException, InterruptedException {
    var b = HttpRequest.newBuilder(base.resolve("/v1/stream/" + path)).timeout(Duration.ofSeconds(20))
        .header("Content-Type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (bearer != null) b.header("Authorization", "Bearer " + bearer);
    var r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return new Res(r.statusCode(), r.body());
  }

  Res put(String path, String body) throws IOException, InterruptedException {
    return send("PUT", path, body, null);
  }

  Res post(String path, String body) throws IOException, InterruptedException {
    return send("POST", path, body, null);
  }

  Res get(String path) throws IOException, InterruptedException {
    return send("GET", path, null, null);
  }

  /** Polls {@code GET path} until {@code ok} holds for its JSON (state that changes asynchronously); fails after 10 s. */
  JsonNode await(String path, Predicate<JsonNode> ok, String what) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    JsonNode last = null;
    while (System.nanoTime() < deadline) {
      Res r = get(path);
      if (r.status() == 200) {
        last = r.json();
        if (ok.test(last)) return last;
      }
      Thread.sleep(20); // polling an observable condition, bounded by the deadline
    }
    throw new AssertionError("timed out waiting for " + what + "; last " + last);
  }

  static JsonNode stream(JsonNode list, String path) {
    for (JsonNode s : list) if (s.path("path").asText().equals(path)) return s;
    return null;
  }
}
