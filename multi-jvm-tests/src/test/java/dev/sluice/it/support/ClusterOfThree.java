package dev.sluice.it.support;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;

/**
 * Three Sluice processes forming a replicated cluster on loopback, each started with the
 * documented flags ({@code --cluster-nodes}, {@code --node-ordinal}), so a test can kill, pause and
 * restart each one on its own data directory.
 *
 * <p>Every Artery link goes through a {@link LinkProxy} in the test JVM, so a test can also cut
 * and heal links (a network partition, without root): the addresses in {@code --cluster-nodes}
 * (each node's canonical address, what its peers connect to) are the proxy's ports, and each node
 * gets two system properties, {@code pekko.remote.artery.bind.port} (where it really listens) and
 * {@code pekko.remote.artery.advanced.tcp.outbound-client-hostname} (its own source address, which
 * tells the proxy who is connecting). The transport is Artery's default, TCP.
 *
 * <p>Not thread-safe for lifecycle calls; {@link #node}, {@link #membership} may be called from any
 * thread.
 */
public final class ClusterOfThree implements AutoCloseable {
  public static final int SIZE = 3;

  private final String testName;
  private final List<Path> dataDirs = new ArrayList<>();
  private final AtomicReferenceArray<NodeProcess> nodes = new AtomicReferenceArray<>(SIZE);
  private final String[] extraArgs;
  private final LinkProxy proxy = new LinkProxy();
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(2)).build();

  public ClusterOfThree(String testName, String... extraArgs) {
    this.testName = testName;
    this.extraArgs = extraArgs;
    for (int i = 0; i < SIZE; i++) {
      dataDirs.add(ItEnv.freshDataDir(testName + "-node" + i));
    }
  }

  /** The {@code --cluster-nodes} value: every node's canonical Artery address (a proxy port). */
  public String nodeList() {
    return "127.0.0.1:" + proxy.proxyPort(0) + ",127.0.0.1:" + proxy.proxyPort(1) + ",127.0.0.1:" + proxy.proxyPort(2);
  }

  public LinkProxy proxy() {
    return proxy;
  }

  /**
   * The node Split Brain Resolver keeps when two members lose each other (keep-majority breaks a tie
   * with the lowest address): here the one with the lowest canonical port, as all share 127.0.0.1.
   */
  public int lowestAddress() {
    int best = 0;
    for (int i = 1; i < SIZE; i++) {
      if (proxy.proxyPort(i) < proxy.proxyPort(best)) best = i;
    }
    return best;
  }

  /** Starts node {@code i} (again) on its own data directory; returns once it serves HTTP. */
  public NodeProcess start(int i) {
    List<String> args = new ArrayList<>(List.of("--cluster-nodes", nodeList(), "--node-ordinal", Integer.toString(i)));
    args.addAll(List.of(extraArgs));
    NodeProcess n = NodeProcess.builder(testName + "-node" + i, dataDirs.get(i))
        .jvmOpts("-Dpekko.remote.artery.bind.port=" + proxy.bindPort(i),
            "-Dpekko.remote.artery.advanced.tcp.outbound-client-hostname=" + LinkProxy.sourceAddress(i))
        .args(args.toArray(String[]::new)).start();
    nodes.set(i, n);
    return n;
  }

  /** Starts the three nodes at once (they form the cluster through the first seed, node 0). */
  public void startAll() {
    List<CompletableFuture<NodeProcess>> starting = new ArrayList<>();
    for (int i = 0; i < SIZE; i++) {
      int n = i;
      starting.add(CompletableFuture.supplyAsync(() -> start(n)));
    }
    try {
      starting.forEach(CompletableFuture::join);
    } catch (CompletionException e) {
      close();
      throw e;
    }
  }

  /** The process last started as node {@code i} (possibly dead), or null if never started. */
  public NodeProcess node(int i) {
    return nodes.get(i);
  }

  public boolean isAlive(int i) {
    NodeProcess n = nodes.get(i);
    return n != null && n.isAlive();
  }

  /** The node's own view of the cluster ({@code GET /admin/cluster}), or null if it does not answer. */
  public String membership(int i) {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(nodes.get(i).baseUri() + "/admin/cluster"))
          .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? r.body() : null;
    } catch (Exception e) {
      return null;
    }
  }

  /** Waits until every running node sees {@code expectedUp} members Up and none unreachable. */
  public void awaitUp(int expectedUp, Duration timeout) {
    awaitUp(expectedUp, timeout, 0, 1, 2);
  }

  /**
   * Waits until each of {@code among} (those running) sees {@code expectedUp} members Up and none
   * unreachable; e.g. the two others after one node was paused or cut off and then downed.
   */
  public void awaitUp(int expectedUp, Duration timeout, int... among) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      boolean all = true;
      StringBuilder seen = new StringBuilder();
      for (int i : among) {
        if (!isAlive(i)) continue;
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

  /**
   * Starts every node that is not running and waits until all three see each other Up: the state
   * every scenario starts and ends in.
   */
  public void ensureAllUp(Duration timeout) {
    for (int i = 0; i < SIZE; i++) {
      if (!isAlive(i)) {
        if (nodes.get(i) != null) nodes.get(i).close();
        start(i);
      }
    }
    awaitUp(SIZE, timeout);
  }

  private static int count(String s, String what) {
    int n = 0;
    for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) n++;
    return n;
  }

  @Override
  public void close() {
    for (int i = 0; i < SIZE; i++) {
      if (nodes.get(i) != null) nodes.get(i).close();
    }
    proxy.close();
  }
}
