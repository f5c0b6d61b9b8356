package dev.sluice.it.support;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Three Sluice processes forming a replicated cluster on 127.0.0.1, each started with the
 * documented flags ({@code --cluster-nodes}, {@code --node-ordinal}), so a test can kill, pause and
 * restart each one on its own data directory. Not thread-safe for lifecycle calls.
 */
public final class ClusterOfThree implements AutoCloseable {
  private final String testName;
  private final List<Integer> arteryPorts = new ArrayList<>();
  private final List<Path> dataDirs = new ArrayList<>();
  private final NodeProcess[] nodes = new NodeProcess[3];
  private final String[] extraArgs;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(2)).build();

  public ClusterOfThree(String testName, String... extraArgs) {
    this.testName = testName;
    this.extraArgs = extraArgs;
    for (int i = 0; i < 3; i++) {
      arteryPorts.add(NodeProcess.freePort());
      dataDirs.add(ItEnv.freshDataDir(testName + "-node" + i));
    }
  }

  public String nodeList() {
    return "127.0.0.1:" + arteryPorts.get(0) + ",127.0.0.1:" + arteryPorts.get(1) + ",127.0.0.1:" + arteryPorts.get(2);
  }

  /** Starts node {@code i} (again) on its own data directory; returns once it serves HTTP. */
  public NodeProcess start(int i) {
    List<String> args = new ArrayList<>(List.of("--cluster-nodes", nodeList(), "--node-ordinal", Integer.toString(i)));
    args.addAll(List.of(extraArgs));
    nodes[i] = NodeProcess.builder(testName + "-node" + i, dataDirs.get(i)).args(args.toArray(String[]::new)).start();
    return nodes[i];
  }

  public void startAll() {
    for (int i = 0; i < 3; i++) start(i);
  }

  public NodeProcess node(int i) {
    return nodes[i];
  }

  /** The node's own view of the cluster ({@code GET /admin/cluster}), or null if it does not answer. */
  public String membership(int i) {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(nodes[i].baseUri() + "/admin/cluster"))
          .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? r.body() : null;
    } catch (Exception e) {
      return null;
    }
  }

  /** Waits until every running node sees {@code expectedUp} members Up and none unreachable. */
  public void awaitUp(int expectedUp, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      boolean all = true;
      StringBuilder seen = new StringBuilder();
      for (int i = 0; i < 3; i++) {
        if (nodes[i] == null || !nodes[i].isAlive()) continue;
        String m = membership(i);
        seen.append("node ").append(i).append(": ").append(m).append('\n');
        if (m == null || count(m, "\"status\":\"Up\"") != expectedUp || m.contains("\"reachable\":false")) all = false;
      }
      if (all) return;
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("cluster did not reach " + expectedUp + " Up members within " + timeout + ":\n" + seen);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
    }
  }

  private static int count(String s, String what) {
    int n = 0;
    for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) n++;
    return n;
  }

  @Override
  public void close() {
    for (NodeProcess n : nodes) {
      if (n != null) n.close();
    }
  }
}
