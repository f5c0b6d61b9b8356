package dev.sluice.server.ops;

import static dev.sluice.server.TestNodes.WAIT;
import static dev.sluice.server.TestNodes.awaitGet;
import static dev.sluice.server.TestNodes.get;
import static dev.sluice.server.TestNodes.send;
import static dev.sluice.server.ops.PrometheusText.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.server.SluiceNode;
import dev.sluice.server.TestNodes;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A replicated 3-node cluster in this JVM (three full nodes from the {@code bin/sluice} flags
 * {@code --cluster-nodes} and {@code --node-ordinal}, real Artery on 127.0.0.1): every node is ready
 * once all three are Up; {@code /admin/streams/...} on any node shows the owner's writer and every
 * replica; the owner's {@code /metrics} has the replication series; a node that loses one peer
 * stays ready, and one that loses both is not ready, naming the quorum.
 */
class ReplicatedOpsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void readinessAdminAndMetricsOfAReplicatedCluster() throws Exception {
    String nodes = "127.0.0.1:" + TestNodes.freePort() + ",127.0.0.1:" + TestNodes.freePort() + ",127.0.0.1:" + TestNodes.freePort();
    List<CompletableFuture<SluiceNode>> starting = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      starting.add(SluiceNode.start(TestNodes.config(TestNodes.tempDir("sluice-repl-ops-" + i),
          "--cluster-nodes", nodes, "--node-ordinal", Integer.toString(i))).toCompletableFuture());
    }
    List<SluiceNode> n = new ArrayList<>();
    for (CompletableFuture<SluiceNode> f : starting) n.add(f.get(WAIT.toSeconds(), TimeUnit.SECONDS));
    boolean[] stopped = new boolean[3];
    try {
      for (SluiceNode node : n) {
        assertNotNull(node.managementUrl());
        awaitGet(node.managementUrl() + "/ready", WAIT, r -> r.statusCode() == 200);
        assertEquals(200, get(node.baseUrl() + "/health").statusCode());
      }

      // A stream created through node 0, appended through node 1, inspected through node 2.
      String s = "ops/replicated";
      assertEquals(201, send(HttpRequest.newBuilder(URI.create(n.get(0).baseUrl() + "/v1/stream/" + s))
          .header("Content-Type", "text/plain").PUT(HttpRequest.BodyPublishers.noBody())).statusCode());
      for (int i = 0; i < 3; i++) {
        assertEquals(204, send(HttpRequest.newBuilder(URI.create(n.get(1).baseUrl() + "/v1/stream/" + s))
            .header("Content-Type", "text/plain").POST(HttpRequest.BodyPublishers.ofString("hello"))).statusCode());
      }
      HttpResponse<String> admin = awaitGet(n.get(2).baseUrl() + "/admin/streams/" + s, WAIT, r -> {
        if (r.statusCode() != 200) return false;
        JsonNode j = read(r.body());
        if (j.get("writer").isNull() || j.get("nodes").size() != 3) return false;
        long committed = j.get("committedEntry").asLong();
        for (JsonNode node : j.get("nodes")) {
          if (node.get("replica") == null || node.get("replica").isNull()) return false;
          if (node.get("replica").get("materializedEntry").asLong() != committed || node.get("storedBytes").asLong() != 15) return false;
        }
        return committed >= 4; // the create and three appends, at least
      });
      JsonNode j = read(admin.body());
      assertEquals(true, j.get("replicated").asBoolean());
      assertEquals("0000000000000000_0000000000000015", j.get("tailOffset").asText());
      assertTrue(j.get("epoch").asText().startsWith("e"), j.toString());
      JsonNode writer = j.get("writer");
      assertEquals("SERVING", writer.get("phase").asText());
      assertEquals(j.get("epoch").asText(), writer.get("epoch").asText());
      assertEquals(j.get("owner").asText(), writer.get("node").asText(), "the writer runs where sharding placed the entity");
      assertEquals(3, writer.get("ackedEntries").size());

      // The owner's metrics: its writer opened and recovered; lag per replica, never per stream.
      SluiceNode owner = n.stream().filter(x -> x.system().address().toString().equals(writer.get("node").asText())).findFirst()
          .orElseThrow();
      Map<String, Double> m = PrometheusText.parse(get(owner.baseUrl() + "/metrics").body());
      assertTrue(value(m, "sluice_replication_recoveries_total") >= 1);
      assertTrue(value(m, "sluice_replication_writer_opens_total") >= 1);
      for (int r = 0; r < 3; r++) assertTrue(m.containsKey("sluice_replication_lag_entries{replica=\"" + r + "\"}"));
      assertEquals(0.0, value(m, "sluice_replication_limbo_streams"));
      assertTrue(m.keySet().stream().noneMatch(k -> k.contains("ops/replicated")));

      // Node 2 leaves: node 0 still reaches 2 of 3 and stays ready.
      TestNodes.stop(n.get(2));
      stopped[2] = true;
      String node2 = n.get(2).system().address().toString();
      awaitGet(n.get(0).baseUrl() + "/admin/cluster", WAIT, r -> !r.body().contains(node2));
      assertEquals(200, get(n.get(0).managementUrl() + "/ready").statusCode());
      assertEquals(200, get(n.get(0).baseUrl() + "/health").statusCode());

      // Node 1 leaves too: node 0 alone is no quorum, so it is not ready, and says why.
      TestNodes.stop(n.get(1));
      stopped[1] = true;
      HttpResponse<String> notReady = awaitGet(n.get(0).managementUrl() + "/ready", WAIT, r -> r.statusCode() != 200);
      assertEquals(500, notReady.statusCode());
      assertTrue(notReady.body().contains("Check [" + ReplicaQuorumCheck.class.getName() + "] failed: only 1 of the replica set's 3"
          + " nodes are reachable"), notReady.body());
      HttpResponse<String> health = get(n.get(0).baseUrl() + "/health");
      assertEquals(503, health.statusCode());
      assertTrue(health.body().contains("only 1 of the replica set's 3 nodes are reachable"), health.body());
      assertEquals(0.0, value(PrometheusText.parse(get(n.get(0).baseUrl() + "/metrics").body()), "sluice_ready"));
    } finally {
      for (int i = 2; i >= 0; i--) if (!stopped[i]) TestNodes.stop(n.get(i));
    }
  }

  private static JsonNode read(String body) {
    try {
      return JSON.readTree(body);
    } catch (Exception e) {
      throw new AssertionError("not JSON: " + body, e);
    }
  }
}
