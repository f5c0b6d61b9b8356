package dev.sluice.subscriptions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.subscriptions.entity.SubscriptionHost.Delivery;
import dev.sluice.subscriptions.rules.Json;
import dev.sluice.subscriptions.rules.SigningKey;
import dev.sluice.subscriptions.rules.WebhookUrls;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.InstantSource;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * Delivers webhook wakes (checklist §15 "Webhook delivery"): a signed JSON POST with the JDK's
 * HTTP client (no Pekko HTTP in this module, so embedding applications keep one Pekko version).
 * Before each delivery the host's addresses are resolved and checked again, so a name that
 * resolves inside the network is refused even though its URL passed at creation. Redirects are not
 * followed (they could lead anywhere). Thread-safe.
 */
final class WebhookClient {
  private final HttpClient http;
  private final Executor blockingIo;
  private final Duration timeout;
  private final boolean allowLocalHttp;
  private final InstantSource clock;

  WebhookClient(Executor blockingIo, Duration timeout, boolean allowLocalHttp, InstantSource clock) {
    this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER)
        .executor(blockingIo).build();
    this.blockingIo = blockingIo;
    this.timeout = timeout;
    this.allowLocalHttp = allowLocalHttp;
    this.clock = clock;
  }

  CompletionStage<Delivery> post(SigningKey key, String url, String body) {
    return CompletableFuture.supplyAsync(() -> addressProblem(url), blockingIo).thenCompose(problem -> {
      if (problem != null) return CompletableFuture.completedFuture(new Delivery(false, false, problem));
      String sig = key.signatureHeader(body, clock.millis() / 1000);
      var req = HttpRequest.newBuilder(URI.create(url)).timeout(timeout)
          .header("Content-Type", "application/json")
          .header("Webhook-Signature", sig)
          .POST(HttpRequest.BodyPublishers.ofString(body))
          .build();
      return http.sendAsync(req, HttpResponse.BodyHandlers.ofString()).thenApply(resp -> {
        int status = resp.statusCode();
        if (status < 200 || status >= 300) return new Delivery(false, false, "HTTP " + status);
        return new Delivery(true, isDone(resp.body()), null);
      });
    }).exceptionally(err -> new Delivery(false, false, String.valueOf(err)));
  }

  /** Why the URL's host may not be reached now (its resolved addresses), or null. */
  private String addressProblem(String url) {
    URI u = URI.create(url);
    if (allowLocalHttp && WebhookUrls.isLocalDev(u)) return null;
    String why = WebhookUrls.problem(url, allowLocalHttp);
    if (why != null) return why;
    try {
      for (InetAddress a : InetAddress.getAllByName(u.getHost())) {
        String kind = WebhookUrls.refusedAddress(a);
        if (kind != null) return "webhook host " + u.getHost() + " resolves to a " + kind + " address";
      }
    } catch (java.net.UnknownHostException e) {
      return "webhook host " + u.getHost() + " does not resolve";
    }
    return null;
  }

  private static boolean isDone(String body) {
    try {
      JsonNode n = Json.MAPPER.readTree(body);
      return n != null && n.path("done").isBoolean() && n.path("done").asBoolean();
    } catch (Exception e) {
      return false;
    }
  }
}
