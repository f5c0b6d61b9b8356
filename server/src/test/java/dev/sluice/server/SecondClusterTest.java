package dev.sluice.server;

import static dev.sluice.server.TestNodes.WAIT;
import static dev.sluice.server.TestNodes.awaitGet;
import static dev.sluice.server.TestNodes.send;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.Test;

/**
 * Two clusters of one configured replica set side by side (which {@code Formation} prevents; here
 * a node is joined to itself by hand): the smaller one gives way by itself, the other keeps serving
 * (ClusterFormation, SplitCheck). Without the check node 2 stays Up in a cluster of its own for good.
 */
class SecondClusterTest {
  @Test
  void theSmallerOfTwoClustersShutsDownAndTheOtherKeepsServing() throws Exception {
    String nodes = "127.0.0.1:" + TestNodes.freePort() + ",127.0.0.1:" + TestNodes.freePort() + ",127.0.0.1:" + TestNodes.freePort();
    List<SluiceNode> n = new ArrayList<>();
    try {
      for (int i = 0; i < 2; i++) {
        n.add(TestNodes.start(TestNodes.config(TestNodes.tempDir("sluice-split-" + i),
            "--cluster-nodes", nodes, "--node-ordinal", Integer.toString(i))));
      }
      for (SluiceNode node : n) awaitGet(node.managementUrl() + "/ready", WAIT, r -> r.statusCode() == 200);
      assertEquals(2, Cluster.get(n.get(0).system()).state().members().size());

      // Node 2 does not join by itself; joined to itself, it is Up in a second cluster.
      SluiceNode lone = TestNodes.start(ConfigFactory.parseString("sluice.cluster.formation.enabled = off")
          .withFallback(TestNodes.config(TestNodes.tempDir("sluice-split-2"), "--cluster-nodes", nodes, "--node-ordinal", "2")));
      n.add(lone);
      Cluster loneCluster = Cluster.get(lone.system());
      loneCluster.manager().tell(Join.create(loneCluster.selfMember().address()));

      // It notices the other cluster and shuts itself down, with the reason that exits with -1.
      lone.system().getWhenTerminated().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertEquals(Optional.of(ClusterFormation.LeftSecondCluster.INSTANCE),
          CoordinatedShutdown.get(lone.system()).getShutdownReason());

      // The cluster of two never considered leaving and still serves.
      for (int i = 0; i < 2; i++) {
        assertFalse(n.get(i).system().getWhenTerminated().toCompletableFuture().isDone());
        assertTrue(Cluster.get(n.get(i).system()).selfMember().status() == MemberStatus.up());
        assertTrue(CoordinatedShutdown.get(n.get(i).system()).getShutdownReason().isEmpty());
      }
      String s = n.get(0).baseUrl() + "/v1/stream/split/after";
      assertEquals(201, send(HttpRequest.newBuilder(URI.create(s)).header("Content-Type", "text/plain")
          .PUT(HttpRequest.BodyPublishers.noBody())).statusCode());
      assertEquals(204, send(HttpRequest.newBuilder(URI.create(n.get(1).baseUrl() + "/v1/stream/split/after"))
          .header("Content-Type", "text/plain").POST(HttpRequest.BodyPublishers.ofString("still here"))).statusCode());
    } finally {
      for (int i = n.size() - 1; i >= 0; i--) TestNodes.stop(n.get(i));
    }
  }
}
