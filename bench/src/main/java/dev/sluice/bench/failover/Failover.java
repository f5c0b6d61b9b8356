package dev.sluice.bench.failover;

import dev.sluice.bench.BenchOptions;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code bin/sluice-bench failover}: failover timing of a running {@code bin/sluice-cluster}.
 *
 * <p>Appends to {@code --streams} streams at {@code --rate} appends/s each ({@link StreamAppender}:
 * every attempt through the next node, {@code --attempt-timeout} per attempt, retried until
 * acknowledged) while it SIGKILLs nodes 0, 1, 2, 0, ... in turn ({@code --kills} times). Per kill:
 * the recovery time is the largest, over the streams, of the time from sending the kill to the
 * first acknowledged append of that stream sent after it; then the node is restarted with
 * {@code <cluster script> start} and the next kill waits until every node sees 3 members Up and
 * reachable ({@code GET /admin/cluster}), {@code --settle}, and every stream appending again. At the
 * end every stream is read through every node and compared with what was acknowledged.
 *
 * <p>Which node owns which stream is not known to the client (no per-stream owner endpoint yet),
 * so nodes are killed in rotation; a node owns some of 30 streams in practice, and the streams it
 * owned are those that stall (reported as "streams stalled &gt; 1 s"). Streams that only had an
 * attempt through the killed node recover after one retry through the next node.
 */
public final class Failover {

  static final Duration RECOVERY_TIMEOUT = Duration.ofSeconds(60);
  static final Duration REJOIN_TIMEOUT = Duration.ofSeconds(300);
  static final Duration STEADY_TIMEOUT = Duration.ofSeconds(60);
  /** A stream is "stalled" by a kill when it took longer than this to recover. */
  static final Duration STALL = Duration.ofSeconds(1);
  /** Starts of a killed node before giving up on it rejoining. */
  static final int REJOIN_ATTEMPTS = 3;
  /**
   * After the appends stop, wait this long before reading back: an attempt the client gave up on
   * (1 s) may still be pending in the cluster (the server's ask timeout, 8 s by default) and land
   * later, between the reads of two nodes.
   */
  static final Duration QUIESCE = Duration.ofSeconds(10);

  private final BenchOptions o;
  private final List<String> nodes;
  private final HttpClient client;
  private final Path clusterDir;
  private final Path clusterScript;
  private final double rate;
  private final int streamCount;
  private final List<StreamAppender> appenders = new ArrayList<>();
  /** Kills after which the node needed more than one start to rejoin, or never rejoined. */
  private int rejoinProblems;

  /** One kill's outcome. */
  record Kill(int number, int node, long pid, double recoverySeconds, boolean recovered, int stalled, String slowest,
              double rejoinSeconds, long failedAttempts, Map<String, Long> failureKinds, String note) {}

  private Failover(BenchOptions o, Path clusterScript) {
    this.o = o;
    this.nodes = o.urls();
    this.clusterDir = o.clusterDir().toAbsolutePath();
    this.clusterScript = clusterScript;
    this.rate = o.rateOr(5);
    this.streamCount = o.streamsOr(30);
    this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(o.attemptTimeout()).build();
  }

  /** Runs it; returns the exit status (0: every kill recovered and every acknowledged append is readable). */
  public static int run(BenchOptions o) throws Exception {
    if (o.urls().size() != 3) {
      throw new IllegalArgumentException("failover needs the 3 nodes' URLs, in node order: --target URL0,URL1,URL2");
    }
    if (o.clusterDir() == null) throw new IllegalArgumentException("failover needs --cluster-dir (the bin/sluice-cluster root)");
    Path script = o.clusterScript();
    if (script == null) {
      String root = System.getenv("SLUICE_BENCH_ROOT");
      if (root == null) throw new IllegalArgumentException("failover needs --cluster-script (bin/sluice-cluster)");
      script = Path.of(root, "bin", "sluice-cluster");
    }
    if (!Files.isExecutable(script)) throw new IllegalArgumentException("--cluster-script " + script + " is not executable");
    return new Failover(o, script).go();
  }

  private int go() throws Exception {
    String runId = o.runId();
    say("waiting for a healthy cluster: " + String.join(", ", nodes));
    long t0 = System.nanoTime();
    if (!waitHealthy(REJOIN_TIMEOUT)) throw new IllegalStateException("the cluster is not healthy: " + healthProblems());
    createStreams(runId);
    List<Thread> threads = new ArrayList<>();
    for (StreamAppender a : appenders) {
      Thread t = new Thread(a, "append-" + a.name());
      t.setDaemon(true);
      t.start();
      threads.add(t);
    }
    say(String.format("appending to %d streams, %.1f appends/s each, through the 3 nodes in turn, %d ms per attempt",
        streamCount, rate, o.attemptTimeout().toMillis()));
    if (!waitSteady()) say("the streams are not all appending steadily yet; going on");

    List<Kill> kills = new ArrayList<>();
    for (int k = 1; k <= o.kills(); k++) {
      int node = (k - 1) % 3;
      kills.add(killOnce(k, node));
      Kill last = kills.get(kills.size() - 1);
      say(String.format("kill %d/%d: node %d (pid %d): %s; %d stalled > %d s (slowest %s); rejoined %s%s", k, o.kills(), node,
          last.pid(), last.recovered() ? String.format("recovered in %.2f s", last.recoverySeconds()) : "NOT recovered",
          last.stalled(), STALL.toSeconds(), last.slowest(),
          Double.isNaN(last.rejoinSeconds()) ? "NOT" : String.format("after %.1f s", last.rejoinSeconds()),
          last.note().isEmpty() ? "" : "; " + last.note()));
      if (Double.isNaN(last.rejoinSeconds())) {
        say("the killed node did not rejoin after " + REJOIN_ATTEMPTS + " starts; stopping the kills here");
        break;
      }
    }

    for (StreamAppender a : appenders) a.stop();
    for (Thread t : threads) t.join(o.attemptTimeout().toMillis() * 3 + 5000);
    say("appends stopped; reading every stream through every node in " + QUIESCE.toSeconds() + " s (attempts given up on may still land)");
    sleep(QUIESCE);
    Verification v = verify();
    double seconds = (System.nanoTime() - t0) / 1e9;
    String md = markdown(runId, kills, v, seconds);
    System.out.print(md);
    Files.createDirectories(o.out());
    Path file = o.out().resolve("failover-" + runId + ".md");
    Files.writeString(file, md);
    say("wrote " + file);
    boolean allRecovered = kills.size() == o.kills() && kills.stream().allMatch(Kill::recovered);
    return allRecovered && rejoinProblems == 0 && v.ok() ? 0 : 1;
  }

  // ---- streams ---------------------------------------------------------------------------------

  private void createStreams(String runId) throws Exception {
    for (int s = 0; s < streamCount; s++) {
      String name = String.format("failover-%s-s%02d", runId, s);
      List<URI> uris = new ArrayList<>();
      for (String n : nodes) uris.add(URI.create(n + "/v1/stream/" + name));
      long deadline = System.nanoTime() + RECOVERY_TIMEOUT.toNanos();
      int node = s % 3;
      String last = null;
      while (true) {
        HttpRequest put = HttpRequest.newBuilder(uris.get(node)).timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/octet-stream").PUT(HttpRequest.BodyPublishers.noBody()).build();
        try {
          int st = client.send(put, HttpResponse.BodyHandlers.discarding()).statusCode();
          if (st == 201 || st == 200) break;
          last = "HTTP " + st;
        } catch (IOException e) {
          last = e.toString();
        }
        if (System.nanoTime() > deadline) throw new IllegalStateException("could not create " + name + ": " + last);
        node = (node + 1) % 3;
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
      }
      appenders.add(new StreamAppender(s, name, uris, client, o.attemptTimeout(), rate));
    }
    say("created " + streamCount + " streams (failover-" + runId + "-sNN), each through node (N mod 3)");
  }

  // ---- one kill --------------------------------------------------------------------------------

  private Kill killOnce(int number, int node) throws Exception {
    String note = "";
    if (!waitHealthy(REJOIN_TIMEOUT)) note = "cluster not healthy before the kill (" + healthProblems() + ")";
    sleep(o.settle());
    if (!waitSteady()) note = (note.isEmpty() ? "" : note + "; ") + "streams not all appending steadily before the kill";
    long pid = readPid(node);
    Optional<ProcessHandle> ph = ProcessHandle.of(pid);
    if (ph.isEmpty() || !ph.get().isAlive()) throw new IllegalStateException("node " + node + " (pid " + pid + ") is not running");

    long killSent = System.nanoTime();
    ph.get().destroyForcibly(); // SIGKILL
    long killReturned = System.nanoTime();
    for (StreamAppender a : appenders) a.watchFrom(killReturned);

    long deadline = killReturned + RECOVERY_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline && !allRecovered()) LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
    boolean recovered = allRecovered();
    double worst = 0;
    String slowest = "-";
    int stalled = 0;
    long failed = 0;
    Map<String, Long> kinds = new TreeMap<>();
    for (StreamAppender a : appenders) {
      long at = a.recoveredAt();
      double gap = at == 0 ? (System.nanoTime() - killSent) / 1e9 : (at - killSent) / 1e9;
      if (gap > STALL.toNanos() / 1e9) stalled++;
      if (gap > worst) {
        worst = gap;
        slowest = a.name().substring(a.name().lastIndexOf('-') + 1) + (at == 0 ? " (not recovered)" : "");
      }
      failed += a.failuresSinceWatch();
      for (Map.Entry<String, LongAdder> e : a.failureKinds().entrySet()) kinds.merge(e.getKey(), e.getValue().sum(), Long::sum);
    }

    // Restart the node; the next kill waits until every node sees it Up and reachable.
    long restart = System.nanoTime();
    double rejoin = Double.NaN;
    for (int attempt = 1; attempt <= REJOIN_ATTEMPTS; attempt++) {
      String problem = restartNode(node);
      if (problem == null) {
        rejoin = (System.nanoTime() - restart) / 1e9;
        if (attempt > 1) rejoinProblems++;
        break;
      }
      note = (note.isEmpty() ? "" : note + "; ") + "rejoin " + attempt + " failed: " + problem;
      say("kill " + number + ": node " + node + " did not rejoin: " + problem);
      if (attempt < REJOIN_ATTEMPTS) {
        // E.g. a restarted first seed node that formed a cluster of its own: SIGKILL it and start it again.
        long again = readPid(node);
        ProcessHandle.of(again).ifPresent(ProcessHandle::destroyForcibly);
        ProcessHandle.of(again).ifPresent(h -> h.onExit().join());
      } else {
        rejoinProblems++;
      }
    }
    return new Kill(number, node, pid, recovered ? worst : (System.nanoTime() - killSent) / 1e9, recovered, stalled,
        slowest, rejoin, failed, kinds, note);
  }

  /** Runs {@code <cluster script> start} and waits for a healthy cluster; null on success, else what went wrong. */
  private String restartNode(int node) throws Exception {
    Path log = clusterDir.resolve("failover-restarts.log");
    ProcessBuilder pb = new ProcessBuilder(clusterScript.toString(), "start")
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().put("SLUICE_CLUSTER_DIR", clusterDir.toString());
    Process p = pb.start();
    long deadline = System.nanoTime() + REJOIN_TIMEOUT.toNanos();
    boolean alone = false;
    // A node Up as the only member of its cluster never merges with the others (Pekko does not join
    // two clusters): give up on this start at once instead of waiting for the script's timeout.
    while (!p.waitFor(500, TimeUnit.MILLISECONDS) && System.nanoTime() < deadline) {
      if (ClusterHealth.alone(view(node))) {
        alone = true;
        break;
      }
    }
    boolean exited = !p.isAlive();
    if (!exited) p.destroyForcibly();
    if (!alone && exited && p.exitValue() == 0 && waitHealthy(REJOIN_TIMEOUT)) return null;
    String views = healthProblems();
    String why = alone || ClusterHealth.alone(view(node)) ? "node " + node + " formed a cluster of its own (a restarted first seed"
        + " node that gets no InitJoinAck within seed-node-timeout joins itself)" : "";
    return why + (why.isEmpty() ? "" : "; ") + "`" + clusterScript.getFileName() + " start` "
        + (alone ? "stopped" : exited ? "exit " + p.exitValue() : "timed out")
        + "; views: " + (views.isEmpty() ? "healthy" : views) + " (see " + log + ")";
  }

  private String view(int node) {
    try {
      HttpRequest r = HttpRequest.newBuilder(URI.create(nodes.get(node) + "/admin/cluster")).timeout(Duration.ofSeconds(2)).GET().build();
      HttpResponse<String> resp = client.send(r, HttpResponse.BodyHandlers.ofString());
      return resp.statusCode() == 200 ? resp.body() : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private boolean allRecovered() {
    for (StreamAppender a : appenders) {
      if (a.recoveredAt() == 0) return false;
    }
    return true;
  }

  private long readPid(int node) throws IOException {
    Path f = clusterDir.resolve("node-" + node).resolve("pid");
    return Long.parseLong(Files.readString(f).trim());
  }

  // ---- health and steadiness -------------------------------------------------------------------

  private boolean waitHealthy(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      if (healthProblems().isEmpty()) return true;
      if (System.nanoTime() > deadline) return false;
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(250));
    }
  }

  /** Empty when every node sees 3 members Up and reachable; else each node's problem. */
  private String healthProblems() {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < nodes.size(); i++) {
      String p = ClusterHealth.problem(view(i), nodes.size());
      if (p != null) sb.append(sb.length() > 0 ? "; " : "").append("node ").append(i).append(": ").append(p);
    }
    return sb.toString();
  }

  /**
   * Waits until every stream had an acknowledged append within the last {@code max(1 s, 3 / rate)}
   * and no attempt failed in the last second (shard hand-offs after a rejoin are over).
   */
  private boolean waitSteady() {
    long window = Math.max(TimeUnit.SECONDS.toNanos(1), (long) (3e9 / rate));
    long deadline = System.nanoTime() + STEADY_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      long now = System.nanoTime();
      boolean steady = true;
      for (StreamAppender a : appenders) {
        if (a.lastAckNanos() == 0 || now - a.lastAckNanos() > window
            || (a.lastFailureNanos() != 0 && now - a.lastFailureNanos() < TimeUnit.SECONDS.toNanos(1))) {
          steady = false;
          break;
        }
      }
      if (steady) return true;
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
    }
    return false;
  }

  // ---- verification ----------------------------------------------------------------------------

  /** Per node, the sum of the checks over the streams; and whether the nodes returned the same bytes. */
  record Verification(long acked, List<Records.Check> perNode, List<Long> bytesPerNode, List<String> readErrors, int disagreeing) {
    boolean ok() {
      return readErrors.isEmpty() && disagreeing == 0 && perNode.stream().allMatch(Records.Check::ok);
    }
  }

  private Verification verify() throws Exception {
    long acked = 0;
    List<Records.Check> perNode = new ArrayList<>();
    List<Long> bytes = new ArrayList<>();
    for (int i = 0; i < nodes.size(); i++) {
      perNode.add(Records.Check.ZERO);
      bytes.add(0L);
    }
    List<String> errors = new ArrayList<>();
    int disagreeing = 0;
    for (StreamAppender a : appenders) {
      acked += a.acked();
      byte[] first = null;
      boolean differs = false;
      for (int i = 0; i < nodes.size(); i++) {
        byte[] content;
        try {
          content = readAll(nodes.get(i), a.name());
        } catch (IOException | IllegalStateException e) {
          errors.add("node " + i + " " + a.name() + ": " + e.getMessage());
          continue;
        }
        perNode.set(i, perNode.get(i).plus(Records.check(a.index(), a.acked(), content)));
        bytes.set(i, bytes.get(i) + content.length);
        if (first == null) {
          first = content;
        } else if (!java.util.Arrays.equals(first, content)) {
          differs = true;
        }
      }
      if (differs) disagreeing++;
    }
    return new Verification(acked, perNode, bytes, errors, disagreeing);
  }

  /** The whole stream read through {@code node}, following Stream-Next-Offset until Stream-Up-To-Date. */
  private byte[] readAll(String node, String stream) throws IOException, InterruptedException {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    String offset = "-1";
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      URI uri = URI.create(node + "/v1/stream/" + stream + "?offset=" + URLEncoder.encode(offset, StandardCharsets.UTF_8));
      HttpResponse<byte[]> r;
      try {
        r = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
      } catch (IOException e) {
        if (System.nanoTime() > deadline) throw e;
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
        continue;
      }
      if (r.statusCode() == 503 && System.nanoTime() < deadline) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
        continue;
      }
      if (r.statusCode() != 200) throw new IllegalStateException("GET " + uri + ": HTTP " + r.statusCode());
      out.writeBytes(r.body());
      String next = r.headers().firstValue("Stream-Next-Offset").orElseThrow(() -> new IllegalStateException("GET " + uri + ": no Stream-Next-Offset"));
      boolean upToDate = r.headers().firstValue("Stream-Up-To-Date").map("true"::equalsIgnoreCase).orElse(false);
      if (upToDate) return out.toByteArray();
      if (next.equals(offset) && r.body().length == 0) throw new IllegalStateException("GET " + uri + ": no progress and not up to date");
      offset = next;
    }
  }

  // ---- report ----------------------------------------------------------------------------------

  private String markdown(String runId, List<Kill> kills, Verification v, double seconds) {
    StringBuilder sb = new StringBuilder();
    sb.append("## Failover timing (").append(kills.size()).append(" kills)\n\n");
    sb.append(Instant.now().truncatedTo(ChronoUnit.SECONDS)).append(", run ").append(runId).append(", took ")
        .append(String.format("%.0f s", seconds)).append(". Nodes ").append(String.join(", ", nodes)).append(".\n");
    sb.append(String.format("%d streams x %s appends/s, each append through the next node, %d ms client timeout per attempt,"
            + " a failed attempt retried at once through the next node (at least %d ms apart); nodes 0, 1, 2, 0, ... SIGKILLed in turn,"
            + " restarted with `%s start`, %s settle after it rejoined.%n%n",
        streamCount, fmt(rate), o.attemptTimeout().toMillis(), TimeUnit.NANOSECONDS.toMillis(StreamAppender.RETRY_GAP_NANOS),
        clusterScript.getFileName(), o.settle().toMillis() + " ms"));
    sb.append("Recovery: from sending SIGKILL to the first acknowledged append, sent after the kill, of the slowest stream.\n\n");
    sb.append("| kill | node | recovery s | streams stalled > 1 s | slowest | failed attempts | restart + rejoin s | notes |\n");
    sb.append("|---:|---:|---:|---:|---|---|---:|---|\n");
    for (Kill k : kills) {
      StringBuilder f = new StringBuilder();
      f.append(k.failedAttempts());
      if (!k.failureKinds().isEmpty()) f.append(" (").append(k.failureKinds().toString().replaceAll("[{}]", "")).append(")");
      sb.append(String.format("| %d | %d | %s | %d | %s | %s | %s | %s |%n", k.number(), k.node(),
          (k.recovered() ? "" : "> ") + String.format("%.2f", k.recoverySeconds()), k.stalled(), k.slowest(), f,
          Double.isNaN(k.rejoinSeconds()) ? "failed" : String.format("%.1f", k.rejoinSeconds()), k.note()));
    }
    double[] rec = kills.stream().mapToDouble(Kill::recoverySeconds).toArray();
    sb.append(String.format("%nRecovery over %d kills: p50 %.2f s, p99 %.2f s, max %.2f s%s.%n", kills.size(),
        Percentiles.nearestRank(rec, 0.50), Percentiles.nearestRank(rec, 0.99), Percentiles.nearestRank(rec, 1.0),
        kills.stream().allMatch(Kill::recovered) ? "" : " (some kills did not recover within " + RECOVERY_TIMEOUT.toSeconds()
            + " s: counted with the time waited)"));
    if (rejoinProblems > 0) {
      sb.append(String.format("%n**%d kill(s) needed more than one start of the killed node to rejoin, or it never did**"
          + " (notes column).%n", rejoinProblems));
    }
    sb.append(String.format("%nAcknowledged appends: %,d over %d streams. Read back through each node:%n%n", v.acked(), streamCount));
    sb.append("| node | records read | acknowledged present | missing | duplicates | stored, not acknowledged | out of order | malformed bytes |\n");
    sb.append("|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (int i = 0; i < v.perNode().size(); i++) {
      Records.Check c = v.perNode().get(i);
      sb.append(String.format("| %d | %,d | %,d | %d | %d | %d | %d | %d |%n", i, v.bytesPerNode().get(i) / Records.LENGTH, c.present(),
          c.missing(), c.duplicates(), c.unacked(), c.outOfOrder(), c.malformed()));
    }
    sb.append(String.format("%nStreams whose content differs between nodes: %d.%s%n", v.disagreeing(),
        v.readErrors().isEmpty() ? "" : " Read errors: " + v.readErrors()));
    sb.append(v.ok() ? "Every acknowledged append is readable through every node.\n"
        : "**CHECK FAILED**: see the missing / out of order / malformed columns, the streams that differ between nodes"
            + " and the read errors.\n");
    sb.append("Duplicates are appends whose attempt failed (timeout, connection lost) after the cluster had stored it,"
        + " then sent again; plain appends without a Producer-Id are at-least-once under retries.\n");
    return sb.toString();
  }

  private static String fmt(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }

  private static void sleep(Duration d) {
    long end = System.nanoTime() + d.toNanos();
    while (System.nanoTime() < end) LockSupport.parkNanos(end - System.nanoTime());
  }

  private static void say(String s) {
    System.err.println("[failover " + java.time.LocalTime.now().truncatedTo(ChronoUnit.SECONDS) + "] " + s);
  }
}
