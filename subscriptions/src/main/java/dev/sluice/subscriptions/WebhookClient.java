package dev.sluice.subscriptions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.subscriptions.entity.SubscriptionHost.Delivery;
import dev.sluice.subscriptions.rules.Json;
import dev.sluice.subscriptions.rules.SigningKey;
import dev.sluice.subscriptions.rules.WebhookUrls;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.time.InstantSource;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.stream.Materializer;

/**
 * Delivers webhook wakes (checklist §15 "Webhook delivery"): a signed JSON POST with Pekko HTTP's
 * client. Before each delivery the host's addresses are resolved and checked again, so a name that
 * resolves inside the network is refused even though its URL passed at creation. Thread-safe.
 */
final class WebhookClient {
  private final ActorSystem<?> system;
  private final Http http;
  private final Materializer mat;
  private final Executor blockingIo;
  private final Duration timeout;
  private final boolean allowLocalHttp;
  private final InstantSource clock;

  WebhookClient(ActorSystem<?> system, Executor blockingIo, Duration timeout, boolean allowLocalHttp, InstantSource clock) {
    this.system = system;
    this.http = Http.get(system);
    this.mat = Materializer.matFromSystem(system);
    this.blockingIo = blockingIo;
    this.timeout = timeout;
    this.allowLocalHttp = allowLocalHttp;
    this.clock = clock;
  }

  CompletionStage<Delivery> post(SigningKey key, String url, String body) {
    return CompletableFuture.supplyAsync(() -> addressProblem(url), blockingIo).thenCompose(problem -> {
      if (problem != null) return CompletableFuture.completedFuture(new Delivery(false, false, problem));
      String sig = key.signatureHeader(body, clock.millis() / 1000);
      var req = HttpRequest.POST(url).withEntity(ContentTypes.APPLICATION_JSON, body)
          .addHeader(RawHeader.create("Webhook-Signature", sig));
      return http.singleRequest(req)
          .thenCompose(resp -> resp.entity().toStrict(timeout.toMillis(), mat).thenApply(strict -> {
            int status = resp.status().intValue();
            if (status < 200 || status >= 300) return new Delivery(false, false, "HTTP " + status);
            return new Delivery(true, isDone(strict.getData().utf8String()), null);
          }))
          .toCompletableFuture()
          .orTimeout(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
          .exceptionally(err -> new Delivery(false, false, String.valueOf(err)));
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
      return n != null && n.path("done").asBoolean(false) && n.path("done").isBoolean();
    } catch (Exception e) {
      return false;
    }
  }
}
