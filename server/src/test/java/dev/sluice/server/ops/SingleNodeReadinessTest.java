package dev.sluice.server.ops;

import static dev.sluice.server.TestNodes.WAIT;
import static dev.sluice.server.TestNodes.awaitGet;
import static dev.sluice.server.TestNodes.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.server.SluiceNode;
import dev.sluice.server.TestNodes;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.junit.jupiter.api.Test;

/**
 * A single node in this JVM: {@code /ready} (management port) and {@code /health} (HTTP port) say
 * ready once it serves, and not ready from the moment CoordinatedShutdown begins, while the node is
 * still up and answering; {@code /alive} and {@code /cluster/members} answer.
 */
class SingleNodeReadinessTest {

  @Test
  void readyAfterStartAndNotReadyOnceShutdownBegins() throws Exception {
    SluiceNode node = TestNodes.start(TestNodes.config(TestNodes.tempDir("sluice-ready")));
    String mgmt = node.managementUrl();
    assertNotNull(mgmt, "the management server runs");
    try {
      HttpResponse<String> ready = awaitGet(mgmt + "/ready", WAIT, r -> r.statusCode() == 200);
      assertEquals(200, ready.statusCode());
      HttpResponse<String> health = get(node.baseUrl() + "/health");
      assertEquals(200, health.statusCode());
      assertEquals("ok", health.body());
      assertEquals(200, get(mgmt + "/alive").statusCode());
      HttpResponse<String> members = get(mgmt + "/cluster/members");
      assertEquals(200, members.statusCode());
      assertTrue(members.body().contains("\"status\":\"Up\""), members.body());
      assertTrue(members.body().contains(node.system().address().toString()), members.body());

      // Hold shutdown in its first phase, where the node still serves everything.
      CompletableFuture<Done> release = new CompletableFuture<>();
      CoordinatedShutdown.get(node.system()).addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(), "test-hold",
          () -> release);
      CompletionStage<Done> stopped = node.stop();

      HttpResponse<String> notReady = awaitGet(mgmt + "/ready", WAIT, r -> r.statusCode() != 200);
      assertEquals(500, notReady.statusCode(), "pekko-management answers a failed check with 500");
      assertTrue(notReady.body().contains("Check [" + NotShuttingDownCheck.class.getName() + "] failed: this node is shutting down"),
          notReady.body());
      HttpResponse<String> unhealthy = get(node.baseUrl() + "/health");
      assertEquals(503, unhealthy.statusCode());
      assertTrue(unhealthy.body().contains("shutting down"), unhealthy.body());
      assertEquals("1", unhealthy.headers().firstValue("Retry-After").orElse(null));
      assertEquals(200, get(mgmt + "/alive").statusCode(), "not ready, but alive");

      release.complete(Done.getInstance());
      stopped.toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    } finally {
      TestNodes.stop(node);
    }
  }
}
