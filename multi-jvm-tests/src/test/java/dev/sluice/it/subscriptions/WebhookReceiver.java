package dev.sluice.it.subscriptions;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A real webhook receiver on loopback: records every wake POSTed to it and answers
 * {@code {"done":true}}, which acks everything in the wake (checklist §15 "Webhook delivery").
 */
final class WebhookReceiver implements AutoCloseable {
  private final HttpServer server;
  private final LinkedBlockingQueue<JsonNode> wakes = new LinkedBlockingQueue<>();

  WebhookReceiver() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
    server.createContext("/hook", ex -> {
      try (ex) {
        byte[] body = ex.getRequestBody().readAllBytes();
        wakes.add(SubsHttp.JSON.readTree(body));
        byte[] done = "{\"done\":true}".getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(200, done.length);
        ex.getResponseBody().write(done);
      }
    });
    server.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
  }

  /** The next wake delivered, or an AssertionError after {@code timeout}. */
  JsonNode next(Duration timeout, String what) throws InterruptedException {
    JsonNode w = wakes.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    if (w == null) throw new AssertionError("no webhook wake within " + timeout + ": " + what);
    return w;
  }

  /** A wake delivered within {@code timeout}, or null. */
  JsonNode poll(Duration timeout) throws InterruptedException {
    return wakes.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
