package dev.sluice.it.process;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.it.support.ClusterOfThree;
import dev.sluice.it.support.NodeProcess;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A replicated 3-node cluster of real processes, used as a client would: appends through every
 * node, reads of every acknowledged append through every node (read-your-writes across nodes),
 * SIGKILL of a node, appends resuming through the others, and the killed node rejoining with
 * every acknowledged append.
 */
class ReplicatedClusterIT {
  static final int STREAMS = 3;
  static final int APPENDS_PER_ROUND = 30;
  private static final String OCTETS = "application/octet-stream";

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(2)).build();

  /** Per stream: every acknowledged body and the position it ends at. */
  private final List<List<Ack>> acks = new ArrayList<>();

  record Ack(byte[] body, long end) {}

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void acknowledgedAppendsSurviveANodeAndAreReadableThroughEveryNode() throws Exception {
    try (ClusterOfThree cluster = new ClusterOfThree("ReplicatedClusterIT")) {
      long t0 = System.nanoTime();
      cluster.startAll();
      cluster.awaitUp(3, Duration.ofSeconds(60));
      System.out.printf("replicated: 3 nodes up in %d ms (%s)%n", ms(t0), cluster.nodeList());

      for (int s = 0; s < STREAMS; s++) {
        acks.add(new ArrayList<>());
        HttpResponse<String> r = send(HttpRequest.newBuilder(cluster.node(s % 3).streamUri("rs-" + s))
            .PUT(HttpRequest.BodyPublishers.noBody()).header("Content-Type", OCTETS));
        assertEquals(201, r.statusCode(), "create rs-" + s + ": " + r.body());
      }
      appendRound(cluster, "r1", List.of(0, 1, 2));
      verifyThrough(cluster, List.of(0, 1, 2));
      System.out.printf("replicated: %d appends through all nodes, read back through all nodes%n", total());

      NodeProcess killed = cluster.node(0);
      killed.kill();
      long killedAt = System.nanoTime();
      // Streams owned by node 0 move; the first append that succeeds on each measures failover.
      for (int s = 0; s < STREAMS; s++) {
        appendUntilAccepted(cluster, s, 1 + s % 2, Duration.ofSeconds(60));
        System.out.printf("replicated: rs-%d accepts appends %d ms after SIGKILL of node 0%n", s, ms(killedAt));
      }
      appendRound(cluster, "r2", List.of(1, 2));
      verifyThrough(cluster, List.of(1, 2));

      cluster.start(0);
      cluster.awaitUp(3, Duration.ofSeconds(60));
      verifyThrough(cluster, List.of(0, 1, 2));
      System.out.printf("replicated: node 0 rejoined; %d acknowledged appends read back through all 3 nodes; total %d ms%n",
          total(), ms(t0));
    }
  }

  private void appendRound(ClusterOfThree cluster, String round, List<Integer> via) throws Exception {
    for (int i = 0; i < APPENDS_PER_ROUND; i++) {
      int s = i % STREAMS;
      int node = via.get(i % via.size());
      byte[] body = (round + "-" + s + "-" + i + ";").getBytes(StandardCharsets.UTF_8);
      HttpResponse<String> r = send(HttpRequest.newBuilder(cluster.node(node).streamUri("rs-" + s))
          .POST(HttpRequest.BodyPublishers.ofByteArray(body)).header("Content-Type", OCTETS));
      assertEquals(204, r.statusCode(), "append " + round + "/" + i + " via node " + node + ": " + r.body());
      acks.get(s).add(new Ack(body, position(r)));
      // Read-your-writes across nodes: the next node reads what this one just acknowledged.
      int reader = via.get((i + 1) % via.size());
      byte[] all = readAll(cluster.node(reader), "rs-" + s);
      assertTrue(all.length >= position(r), "node " + reader + " read " + all.length + " bytes of rs-" + s
          + " right after node " + node + " acknowledged up to " + position(r));
    }
  }

  /** Appends through {@code node} until one is acknowledged. */
  private void appendUntilAccepted(ClusterOfThree cluster, int s, int node, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    int attempt = 0;
    while (true) {
      byte[] body = ("failover-" + s + "-" + attempt++ + ";").getBytes(StandardCharsets.UTF_8);
      try {
        // An impatient client (1 s per attempt): what is measured is when the stream accepts
        // appends again, not how long one request sent into the dead node's shard waits.
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(cluster.node(node).streamUri("rs-" + s))
            .POST(HttpRequest.BodyPublishers.ofByteArray(body)).header("Content-Type", OCTETS)
            .timeout(Duration.ofSeconds(1)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 204) {
          acks.get(s).add(new Ack(body, position(r)));
          return;
        }
        assertTrue(r.statusCode() == 503 || r.statusCode() == 504, "during failover only 503/504 may answer: " + r.statusCode() + " " + r.body());
      } catch (java.io.IOException e) {
        // a timeout or reset while the cluster reacts: retry, like a client would
      }
      if (System.nanoTime() > deadline) throw new AssertionError("rs-" + s + " accepted no append within " + timeout);
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
    }
  }

  private void verifyThrough(ClusterOfThree cluster, List<Integer> nodes) throws Exception {
    for (int node : nodes) {
      for (int s = 0; s < STREAMS; s++) {
        byte[] data = readAll(cluster.node(node), "rs-" + s);
        for (Ack a : acks.get(s)) {
          byte[] at = Arrays.copyOfRange(data, (int) (a.end - a.body.length), (int) a.end);
          assertArrayEquals(a.body, at, "node " + node + ", rs-" + s + " at " + a.end + ": " + new String(at, StandardCharsets.UTF_8));
        }
      }
    }
  }

  private byte[] readAll(NodeProcess node, String stream) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    String offset = "-1";
    for (int guard = 0; guard < 1000; guard++) {
      HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(node.streamUri(stream) + "?offset=" + offset))
          .timeout(Duration.ofSeconds(20)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
      assertEquals(200, r.statusCode(), "read " + stream + " via " + node);
      out.write(r.body());
      offset = r.headers().firstValue("Stream-Next-Offset").orElseThrow();
      if (r.headers().firstValue("Stream-Up-To-Date").map("true"::equals).orElse(false)) return out.toByteArray();
    }
    throw new AssertionError("never up to date");
  }

  private int total() {
    return acks.stream().mapToInt(List::size).sum();
  }

  private static long position(HttpResponse<?> r) {
    String next = r.headers().firstValue("Stream-Next-Offset").orElseThrow();
    return Long.parseLong(next.substring(next.indexOf('_') + 1));
  }

  private HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
    return http.send(b.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static long ms(long t0) {
    return (System.nanoTime() - t0) / 1_000_000;
  }
}
