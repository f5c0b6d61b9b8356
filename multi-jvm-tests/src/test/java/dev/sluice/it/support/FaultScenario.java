package dev.sluice.it.support;

import dev.sluice.it.support.AppendHistory.Attempt;
import dev.sluice.it.support.AppendHistory.Outcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The frame of a real-process fault scenario on a {@link ClusterOfThree}: start the cluster, create
 * streams, find their owners, run {@link ClusterLoad} and {@link TailReader}s, and at the end bring
 * every node back, read every stream through every node and judge it all with the
 * {@link AppendHistory} checker. The fault itself is the test's.
 */
public final class FaultScenario implements AutoCloseable {
  /** Body size of the appends that find a stream's owner; below the 192 KiB split threshold. */
  static final int PROBE_BYTES = 48 * 1024;
  static final int PROBE_APPENDS = 2;

  public final String name;
  public final ClusterOfThree cluster;
  public final AppendHistory history = new AppendHistory();
  public final List<String> streams = new ArrayList<>();
  private final List<TailReader> tails = new ArrayList<>();
  private ClusterLoad load;
  private final long t0 = System.nanoTime();

  public FaultScenario(String name, int streamCount) {
    this.name = name;
    this.cluster = new ClusterOfThree(name);
    String prefix = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
    for (int i = 0; i < streamCount; i++) streams.add(prefix + "-" + history.newToken().substring(0, 4) + "-" + i);
  }

  /** Starts the three nodes, waits until they see each other Up, creates the streams. */
  public FaultScenario start() {
    long t = System.nanoTime();
    cluster.startAll();
    cluster.awaitUp(3, Duration.ofSeconds(120));
    log("3 nodes up in %d ms (%s)", ms(t), cluster.nodeList());
    for (int i = 0; i < 3; i++) {
      // The link proxy works on TCP connections: Artery must not run over Aeron (UDP).
      String logText = readLog(cluster.node(i));
      if (!logText.contains("Remoting started with transport [Artery tcp]")) {
        throw new AssertionError("node " + i + " does not run Artery over TCP; log " + cluster.node(i).logFile());
      }
    }
    try (HistoryClient c = client(Duration.ofSeconds(20))) {
      for (int i = 0; i < streams.size(); i++) {
        String s = streams.get(i);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        int status;
        while ((status = c.create(s, i % 3)) != 201 && status != 200) {
          if (System.nanoTime() > deadline) throw new AssertionError("cannot create " + s + ": last status " + status);
          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(500));
        }
      }
    }
    return this;
  }

  private static String readLog(NodeProcess n) {
    try {
      return java.nio.file.Files.readString(n.logFile());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  public HistoryClient client(Duration timeout) {
    return new HistoryClient(cluster, history, timeout);
  }

  /** The owner of each of {@link #streams}, in order ({@link #ownerOf}). */
  public int[] owners() {
    int[] owners = new int[streams.size()];
    for (int i = 0; i < owners.length; i++) owners[i] = ownerOf(streams.get(i));
    return owners;
  }

  /** The streams that {@code owners} (from {@link #owners()}) gives to {@code node}. */
  public List<String> ownedBy(int[] owners, int node) {
    List<String> owned = new ArrayList<>();
    for (int i = 0; i < owners.length; i++) if (owners[i] == node) owned.add(streams.get(i));
    return owned;
  }

  /**
   * The node that owns {@code stream} now, found from the traffic it causes: a few 48 KiB appends
   * (recorded like any other) are replicated by the owner to both peers, so the owner is the node
   * whose links to both others carried them. Other traffic (heartbeats, the load's small appends)
   * is far below that.
   */
  public int ownerOf(String stream) {
    LinkProxy proxy = cluster.proxy();
    String seen = "";
    try (HistoryClient c = client(Duration.ofSeconds(10))) {
      for (int round = 0; round < 5; round++) {
        long[][] before = proxy.snapshot();
        int acked = 0;
        for (int k = 0; k < PROBE_APPENDS; k++) {
          if (c.append(stream, (round + k) % 3, PROBE_BYTES).outcome() == Outcome.ACKED) acked++;
        }
        long[][] after = proxy.snapshot();
        long[] minOut = new long[3];
        for (int i = 0; i < 3; i++) {
          minOut[i] = Long.MAX_VALUE;
          for (int j = 0; j < 3; j++) {
            if (i != j) minOut[i] = Math.min(minOut[i], after[i][j] - before[i][j]);
          }
        }
        int best = 0;
        for (int i = 1; i < 3; i++) if (minOut[i] > minOut[best]) best = i;
        long second = 0;
        for (int i = 0; i < 3; i++) if (i != best) second = Math.max(second, minOut[i]);
        seen = java.util.Arrays.toString(minOut) + " with " + acked + " of " + PROBE_APPENDS + " acknowledged";
        if (acked == PROBE_APPENDS && minOut[best] >= (long) PROBE_APPENDS * PROBE_BYTES * 9 / 10 && second * 3 < minOut[best]) {
          return best;
        }
      }
    }
    throw new AssertionError("could not tell the owner of " + stream + " from the replication traffic: least bytes each node"
        + " sent to a peer " + seen);
  }

  /** {@code plainWriters} + {@code producers} + a prober, 5 s per request, 20 ms between requests. */
  public ClusterLoad startLoad(int plainWriters, int producers) {
    load = new ClusterLoad(cluster, history, streams, Duration.ofSeconds(5), Duration.ofMillis(20)).start(plainWriters, producers, true);
    return load;
  }

  public ClusterLoad load() {
    return load;
  }

  public TailReader tail(String stream, TailReader.Mode mode, int... nodes) {
    TailReader r = new TailReader(cluster, stream, mode, nodes).start();
    tails.add(r);
    return r;
  }

  /** Waits until {@code count} more appends were acknowledged on every stream, or fails after {@code within}. */
  public void awaitAcks(int count, Duration within) {
    Map<String, Long> base = new LinkedHashMap<>();
    for (String s : streams) base.put(s, history.ackCount(s));
    long deadline = System.nanoTime() + within.toNanos();
    while (true) {
      boolean all = true;
      for (String s : streams) all &= history.ackCount(s) - base.get(s) >= count;
      if (all) return;
      if (System.nanoTime() > deadline) {
        throw new AssertionError("fewer than " + count + " acknowledged appends per stream within " + within + ": " + acksSince(base));
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
    }
  }

  private Map<String, Long> acksSince(Map<String, Long> base) {
    Map<String, Long> m = new LinkedHashMap<>();
    for (String s : streams) m.put(s, history.ackCount(s) - base.get(s));
    return m;
  }

  /**
   * Milliseconds from {@code faultNanos} until every stream acknowledged an append sent after it,
   * waiting up to {@code within}; per stream in {@code perStream}.
   */
  public long awaitResume(long faultNanos, Duration within, Map<String, Long> perStream) {
    long deadline = System.nanoTime() + within.toNanos();
    while (true) {
      long worst = 0;
      boolean all = true;
      for (String s : streams) {
        long m = history.firstAckMillisAfter(s, faultNanos);
        if (m < 0) all = false;
        else {
          perStream.put(s, m);
          worst = Math.max(worst, m);
        }
      }
      if (all) return worst;
      if (System.nanoTime() > deadline) throw new AssertionError("not every stream accepted appends within " + within + " of the fault: " + perStream);
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
    }
  }

  /** Acknowledged (fresh, not duplicate) attempts sent through {@code node} between the two instants. */
  public List<Attempt> acksThrough(int node, long fromNanos, long toNanos) {
    return history.attempts().stream().filter(a -> a.node() == node && a.outcome() == Outcome.ACKED
        && a.startNanos() >= fromNanos && a.startNanos() < toNanos).toList();
  }

  /**
   * Stops the load, brings every node back, reads every stream through every node, checks the
   * history and every tail reader (which must catch up with the final stream).
   */
  public AppendHistory.Report finish() {
    if (load != null) {
      load.close();
      if (!load.problems().isEmpty()) throw new AssertionError("load saw definite rejections: " + load.problems());
    }
    long t = System.nanoTime();
    cluster.ensureAllUp(Duration.ofSeconds(120));
    log("all 3 nodes up again %d ms after the load stopped", ms(t));
    Map<String, Map<Integer, byte[]>> reads = new LinkedHashMap<>();
    try (HistoryClient c = client(Duration.ofSeconds(20))) {
      for (String s : streams) {
        Map<Integer, byte[]> perNode = new LinkedHashMap<>();
        for (int n = 0; n < 3; n++) perNode.put(n, c.readAll(s, n, Duration.ofSeconds(60)));
        reads.put(s, perNode);
      }
    }
    AppendHistory.Report report = history.check(reads);
    log("history check passed: %s", report);
    for (TailReader r : tails) {
      byte[] fin = reads.get(r.stream()).get(0);
      boolean caughtUp = r.awaitSize(fin.length, Duration.ofSeconds(30));
      r.close();
      if (!r.problems().isEmpty()) throw new AssertionError(r.describe() + " saw: " + r.problems());
      AppendHistory.checkPrefix(r.describe(), r.received(), fin);
      if (!caughtUp) {
        throw new AssertionError(r.describe() + " received " + r.size() + " of the final " + fin.length + " bytes within 30 s");
      }
      log("%s: all %d bytes, a prefix-consistent copy, %d reconnects", r.describe(), fin.length, r.reconnects());
    }
    log("total %d ms", ms(t0));
    return report;
  }

  public void log(String format, Object... args) {
    System.out.printf("%s: %s%n", name, String.format(format, args));
  }

  public static long ms(long fromNanos) {
    return (System.nanoTime() - fromNanos) / 1_000_000;
  }

  @Override
  public void close() {
    for (TailReader r : tails) r.close();
    if (load != null) {
      try {
        load.close();
      } catch (RuntimeException ignored) {
        // closing after a failure: the cluster goes next
      }
    }
    cluster.close();
  }
}
