package dev.sluice.replication.sim;

import dev.sluice.replication.Address;
import dev.sluice.replication.Effect;
import dev.sluice.replication.Effect.Committed;
import dev.sluice.replication.Effect.Persist;
import dev.sluice.replication.Effect.Send;
import dev.sluice.replication.Effect.SetTimer;
import dev.sluice.replication.Entry;
import dev.sluice.replication.InMemoryReplicaLog;
import dev.sluice.replication.LogChange;
import dev.sluice.replication.Message;
import dev.sluice.replication.Message.ClientAppend;
import dev.sluice.replication.Message.Reason;
import dev.sluice.replication.Message.Rejected;
import dev.sluice.replication.Message.Tick;
import dev.sluice.replication.Message.ToReplica;
import dev.sluice.replication.Message.ToWriter;
import dev.sluice.replication.Quorum;
import dev.sluice.replication.Replica;
import dev.sluice.replication.ReplicaState;
import dev.sluice.replication.Writer;
import dev.sluice.replication.sim.SimConfig.Fault;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;

/**
 * A deterministic discrete-event simulation of 3 storage nodes, each running a {@link Replica} and
 * perhaps a {@link Writer}, plus clients. One seeded {@link Random} and a virtual clock drive
 * everything, so a seed replays exactly.
 *
 * <p>What it models, and why:
 * <ul>
 *   <li>Durability: a replica's {@link Persist} (meta plus {@link LogChange}) completes after a
 *       simulated fsync; every send queued behind it waits. The replica's next steps already see the
 *       change (an in-memory log beside the durable one). An unsynced persist (a raised lac,
 *       {@link Persist#sync()}) counts as done once the fsyncs before it completed, without one of its
 *       own, and becomes durable only with the next synced one. A crash keeps only completed fsyncs, so a
 *       promise or ack that was not durable can never have been seen.
 *   <li>Materialization: every {@link Committed} range a replica reports is read from its log and
 *       handed to the checker like a client read, so a wrong lac move is caught too.
 *   <li>Network between nodes: drop, duplicate, random delay (hence reorder), partitions.
 *   <li>Crash/restart, pause (the paused node's inbox, timers and disk queue freeze; on resume a
 *       zombie owner carries on with its old epoch), disk loss (restart on a fresh disk, in limbo).
 *   <li>A sharding oracle that moves ownership and sometimes leaves the old owner running (split brain),
 *       and clients whose routing is sometimes stale.
 * </ul>
 * After the active phase everything heals, zombies are stopped (SBR), one owner recovers, and final
 * reads from every replica feed the {@link HistoryChecker}.
 */
public final class Simulator {
  static final String STREAM = "stream-1";
  private static final long MAX_EVENTS = 600_000;
  private static final int MAX_TRACE = 200_000;
  private static final long TICK_MILLIS = 50;

  private record Ev(long at, long seq, int node, Runnable action) {}

  private record FsyncJob(ReplicaState state, LogChange change, boolean sync, List<Send> sends) {}

  private static final class Node {
    final int id;
    boolean up = true;
    boolean paused;
    boolean awaitingDisk;
    int incarnation;
    int disks;
    ReplicaState durable;
    ReplicaState mem;
    InMemoryReplicaLog durableLog = new InMemoryReplicaLog();
    InMemoryReplicaLog memLog = new InMemoryReplicaLog();
    final ArrayDeque<FsyncJob> fsync = new ArrayDeque<>();
    long diskFreeAt;
    Writer writer;
    int writerId = -1;
    final Map<Writer.Timer, Integer> timerGen = new HashMap<>();
    final List<Ev> backlog = new ArrayList<>();

    Node(int id) {
      this.id = id;
      durable = mem = ReplicaState.empty(STREAM, id, "disk-" + id + "-0");
    }
  }

  /** The outcome of one run. */
  public record Result(SimConfig config, List<String> violations, List<String> trace, long events, History history, Paths paths) {
    public boolean ok() {
      return violations.isEmpty();
    }
  }

  /**
   * How often the production-shaped paths ran, summed over every writer of the run: recovery read pages,
   * catch-up reads from a peer and the entries they forwarded, window trims, and entries materialized
   * from replicas' {@link Committed} reports. Tests assert these are not zero, or a green run proves
   * nothing about them.
   */
  public record Paths(long recoveryPages, long peerFetches, long forwardedEntries, long trimmedEntries, long materialized) {
    public Paths plus(Paths o) {
      return new Paths(recoveryPages + o.recoveryPages, peerFetches + o.peerFetches, forwardedEntries + o.forwardedEntries,
          trimmedEntries + o.trimmedEntries, materialized + o.materialized);
    }
  }

  private final SimConfig cfg;
  private final Random rnd;
  private final PriorityQueue<Ev> queue = new PriorityQueue<>((a, b) -> a.at != b.at ? Long.compare(a.at, b.at) : Long.compare(a.seq, b.seq));
  private final Node[] nodes = new Node[Quorum.REPLICAS];
  private final int[][] blocked = new int[Quorum.REPLICAS][Quorum.REPLICAS];
  private final History history = new History();
  private final List<SimClient> clients = new ArrayList<>();
  private final List<String> trace = new ArrayList<>();
  private final List<String> extraViolations = new ArrayList<>();
  private long now;
  private long seq;
  private long events;
  private long materialized;
  private final List<Writer> writers = new ArrayList<>();
  private long requestIds;
  private int writerIds;
  private int routed;
  private int zombie = -1; // a former owner left running by a split brain; some clients still reach it
  private int finalOwner = -1;
  private boolean active = true;
  private boolean calm;
  private boolean longPartitioned;

  private Simulator(SimConfig cfg) {
    this.cfg = cfg;
    this.rnd = new Random(cfg.seed());
    for (int i = 0; i < nodes.length; i++) nodes[i] = new Node(i);
  }

  public static Result run(SimConfig cfg) {
    return new Simulator(cfg).execute();
  }

  private Result execute() {
    for (int c = 0; c <= cfg.clients(); c++) clients.add(new SimClient(this, c, c == cfg.clients()));
    routed = rnd.nextInt(nodes.length);
    startWriter(nodes[routed]);
    for (int c = 0; c < cfg.clients(); c++) {
      SimClient client = clients.get(c);
      at(-1, 1 + rnd.nextInt(20), client::wake);
    }
    every(TICK_MILLIS, this::oracleCheck);
    for (Node n : nodes) every(TICK_MILLIS, () -> replicaTick(n));
    scheduleNextFault();
    at(-1, cfg.activeMillis(), this::beginFinalPhase);
    long end = cfg.activeMillis() + cfg.settleMillis() + 300;
    while (!queue.isEmpty()) {
      Ev ev = queue.poll();
      if (ev.at > end) break;
      now = ev.at;
      if (++events > MAX_EVENTS) {
        extraViolations.add("event budget of " + MAX_EVENTS + " exceeded at t=" + now + " (message storm or livelock)");
        break;
      }
      if (ev.node >= 0 && nodes[ev.node].paused) {
        nodes[ev.node].backlog.add(ev);
        continue;
      }
      ev.action.run();
    }
    List<String> violations = new ArrayList<>(extraViolations);
    Node fin = finalOwner >= 0 ? nodes[finalOwner] : null;
    if (fin == null || fin.writer == null || fin.writer.phase() != Writer.Phase.SERVING) {
      violations.add("liveness: after healing, the final owner n" + finalOwner + " is not serving: " + (fin == null ? "-" : fin.writer));
    }
    violations.addAll(HistoryChecker.check(history));
    Paths paths = new Paths(0, 0, 0, 0, materialized);
    for (Writer w : writers) {
      Writer.Stats st = w.stats();
      paths = paths.plus(new Paths(st.recoveryPages(), st.peerFetches(), st.forwardedEntries(), st.trimmedEntries(), 0));
    }
    return new Result(cfg, violations, trace, events, history, paths);
  }

  // ------------------------------------------------------------------ scheduling

  private void at(int node, long when, Runnable action) {
    queue.add(new Ev(Math.max(when, now), seq++, node, action));
  }

  private void every(long period, Runnable action) {
    at(-1, now + period, () -> {
      action.run();
      every(period, action);
    });
  }

  long now() {
    return now;
  }

  SimConfig config() {
    return cfg;
  }

  Random rnd() {
    return rnd;
  }

  History history() {
    return history;
  }

  boolean active() {
    return active;
  }

  long newRequestId() {
    return ++requestIds;
  }

  void later(long delay, Runnable action) {
    at(-1, now + delay, action);
  }

  void trace(String line) {
    if (cfg.trace() && trace.size() < MAX_TRACE) trace.add(String.format("%6d %s", now, line));
  }

  // ------------------------------------------------------------------ network

  /**
   * The node a client's append goes to: the oracle's owner, a stale route, or, during a split brain,
   * the old owner (clients on its side of the partition still see it as the owner).
   */
  int routeForClient() {
    if (rnd.nextDouble() < cfg.staleRouteRate()) return rnd.nextInt(nodes.length);
    Node z = zombie >= 0 ? nodes[zombie] : null;
    if (z != null && z.writer != null && z.writer.phase() != Writer.Phase.CLOSED && rnd.nextBoolean()) return zombie;
    return routed;
  }

  void send(Address from, Address to, Message m) {
    int src = nodeOf(from);
    int dst = nodeOf(to);
    if (src >= 0 && dst >= 0 && src != dst) {
      if (blocked[src][dst] > 0) {
        trace("PARTITIONED " + from + "->" + to + " " + m);
        return;
      }
      if (!calm && rnd.nextDouble() < cfg.dropRate()) {
        trace("DROP " + from + "->" + to + " " + m);
        return;
      }
      int copies = !calm && rnd.nextDouble() < cfg.duplicateRate() ? 2 : 1;
      for (int i = 0; i < copies; i++) deliverLater(from, to, m, 1 + rnd.nextInt((int) cfg.maxDelayMillis()));
    } else if (src >= 0 && src == dst) {
      deliverLater(from, to, m, rnd.nextInt(2));
    } else {
      deliverLater(from, to, m, 1 + rnd.nextInt(3)); // the client hop (HTTP): reliable but not instant
    }
  }

  private static int nodeOf(Address a) {
    return a.kind() == Address.Kind.CLIENT ? -1 : a.id();
  }

  private void deliverLater(Address from, Address to, Message m, long delay) {
    at(nodeOf(to), now + delay, () -> deliver(from, to, m));
  }

  private void deliver(Address from, Address to, Message m) {
    if (to.kind() == Address.Kind.CLIENT) {
      clients.get(to.id()).onMessage(m);
      return;
    }
    Node n = nodes[to.id()];
    if (!n.up) return;
    trace(from + "->" + to + " " + m);
    if (to.kind() == Address.Kind.REPLICA) {
      replicaStep(n, from, (ToReplica) m);
    } else if (n.writer != null) {
      applyWriter(n, n.writerId, n.writer.handle(from, (ToWriter) m));
    } else if (m instanceof ClientAppend c) {
      send(to, from, new Rejected(c.requestId(), Reason.NOT_OWNER)); // sharding bounces it: no entity here
    }
  }

  // ------------------------------------------------------------------ replicas and their disks

  private void replicaStep(Node n, Address from, ToReplica m) {
    Replica.Step st = Replica.handle(n.mem, n.memLog, from, m, cfg.bugs());
    n.mem = st.state();
    for (Effect e : st.effects()) {
      if (e instanceof Persist p) {
        n.memLog.apply(p.log());
        FsyncJob job = new FsyncJob(p.state(), p.log(), p.sync(), new ArrayList<>());
        n.fsync.addLast(job);
        // An unsynced change (a raised lac) is done as soon as everything before it is: it takes no
        // disk time and becomes durable only with the next synced one (a crash before that drops it).
        long done = p.sync() ? Math.max(now, n.diskFreeAt) + 1 + rnd.nextInt((int) cfg.maxFsyncMillis()) : Math.max(now, n.diskFreeAt);
        n.diskFreeAt = done;
        int inc = n.incarnation;
        at(n.id, done, () -> fsyncDone(n, inc));
      } else if (e instanceof Send s) {
        if (n.fsync.isEmpty()) send(Address.replica(n.id), s.to(), s.message());
        else n.fsync.peekLast().sends().add(s); // replies never overtake an earlier, still volatile change
      } else if (e instanceof Committed c) {
        materialized += c.upToSeq() - c.afterSeq();
        List<Entry> entries = n.memLog.entries(c.afterSeq(), (int) (c.upToSeq() - c.afterSeq()), Long.MAX_VALUE);
        history.read(-1 - n.id, n.id, c.afterSeq(), entries, now, false);
      } else {
        throw new IllegalStateException("replica effect " + e);
      }
    }
  }

  private void fsyncDone(Node n, int incarnation) {
    if (!n.up || n.incarnation != incarnation || n.fsync.isEmpty()) return;
    FsyncJob job = n.fsync.pollFirst();
    if (job.sync()) {
      // Cumulative: this state includes every unsynced lac raise before it.
      n.durable = job.state();
      n.durableLog.apply(job.change());
    }
    for (Send s : job.sends()) send(Address.replica(n.id), s.to(), s.message());
  }

  private void replicaTick(Node n) {
    at(n.id, now, () -> {
      if (n.up) replicaStep(n, Address.replica(n.id), new Tick(STREAM));
    });
  }

  // ------------------------------------------------------------------ writers and the sharding oracle

  private void startWriter(Node n) {
    if (!n.up || n.paused) return; // the oracle retries on its next check
    stopWriter(n);
    n.writer = Writer.create(STREAM, n.id, n.mem.promised(), cfg.writer(), cfg.bugs());
    writers.add(n.writer);
    n.writerId = ++writerIds;
    n.timerGen.clear();
    trace("START writer#" + n.writerId + " on n" + n.id);
    applyWriter(n, n.writerId, n.writer.start());
  }

  private void stopWriter(Node n) {
    if (n.writer == null) return;
    Writer w = n.writer;
    int wid = n.writerId;
    n.writer = null;
    n.writerId = -1;
    trace("STOP writer#" + wid + " " + w);
    applyWriter(n, wid, w.stop());
  }

  private void applyWriter(Node n, int writerId, List<Effect> effects) {
    for (Effect e : effects) {
      if (e instanceof Send s) {
        send(Address.writer(n.id), s.to(), s.message());
      } else if (e instanceof Committed) {
        // the journal plugin would complete its futures here; the Appended replies carry the same news
      } else if (e instanceof SetTimer t) {
        int gen = n.timerGen.merge(t.timer(), 1, Integer::sum);
        long delay = t.delayMillis();
        if (t.timer() instanceof Writer.Timer.FenceRetry) delay += rnd.nextInt((int) delay + 1); // jitter
        at(n.id, now + delay, () -> {
          if (n.up && n.writerId == writerId && n.timerGen.get(t.timer()) == gen) applyWriter(n, writerId, n.writer.onTimer(t.timer()));
        });
      } else {
        throw new IllegalStateException("writer effect " + e);
      }
    }
  }

  /** Sharding restarts a stopped or failed entity on the node it believes owns the stream. */
  private void oracleCheck() {
    Node n = nodes[routed];
    if (n.up && !n.paused && (n.writer == null || n.writer.phase() == Writer.Phase.CLOSED)) startWriter(n);
  }

  private void moveOwner() {
    int next = rnd.nextInt(nodes.length);
    Node old = nodes[routed];
    boolean splitBrain = rnd.nextDouble() < cfg.splitBrainRate();
    trace("OWNER n" + routed + " -> n" + next + (splitBrain ? " (old owner keeps running)" : ""));
    if (next != routed && !splitBrain) stopWriter(old);
    zombie = next != routed && splitBrain ? routed : -1;
    routed = next;
    startWriter(nodes[next]);
  }

  // ------------------------------------------------------------------ faults

  private void scheduleNextFault() {
    if (cfg.faults().isEmpty()) return;
    at(-1, now + 1 + rnd.nextInt((int) (2 * cfg.meanFaultGapMillis())), () -> {
      if (!active) return;
      injectFault();
      scheduleNextFault();
    });
  }

  private void injectFault() {
    List<Fault> kinds = new ArrayList<>(cfg.faults());
    Fault f = kinds.get(rnd.nextInt(kinds.size()));
    Node n = nodes[rnd.nextInt(nodes.length)];
    switch (f) {
      case CRASH -> {
        if (!n.up) return;
        crash(n);
        later(20 + rnd.nextInt(280), () -> restart(n));
      }
      case PAUSE -> {
        if (!n.up || n.paused) return;
        trace("PAUSE n" + n.id);
        n.paused = true;
        later(30 + rnd.nextInt(470), () -> resume(n));
      }
      case PARTITION -> partition(n, 50 + rnd.nextInt(450), rnd.nextBoolean());
      case LONG_PARTITION -> {
        if (longPartitioned) return; // one per run: it is meant to outlast the window, not to stop the cluster
        longPartitioned = true;
        partition(n, cfg.activeMillis() / 3 + rnd.nextInt((int) (cfg.activeMillis() / 2)), true);
      }
      case DISK_LOSS -> {
        // One lost disk at a time (f = 1), and the node stays down longer than any message can live,
        // so no fence sent to the old disk is still in flight to a peer when the new disk asks them.
        // "Repaired" means durably out of limbo: a limbo exit still in the fsync queue is lost by a crash
        // (soak seed 38330 lost a second disk in that window, leaving two replicas in limbo for good).
        for (Node o : nodes) if (o.awaitingDisk || o.mem.limbo() || o.durable.limbo()) return;
        if (!n.up) return;
        crash(n);
        n.awaitingDisk = true;
        later(3 * cfg.maxDelayMillis() + 50 + rnd.nextInt(300), () -> restart(n));
      }
      case OWNER_MOVE -> moveOwner();
    }
  }

  /** Cut {@code n} off from both peers ({@code isolate}) or from one, for {@code millis}. */
  private void partition(Node n, long millis, boolean isolate) {
    List<int[]> pairs = new ArrayList<>();
    if (isolate) {
      for (Node o : nodes) if (o != n) pairs.add(new int[] {n.id, o.id});
    } else {
      pairs.add(new int[] {n.id, (n.id + 1 + rnd.nextInt(nodes.length - 1)) % nodes.length});
    }
    for (int[] p : pairs) {
      blocked[p[0]][p[1]]++;
      blocked[p[1]][p[0]]++;
    }
    trace("PARTITION " + pairs.stream().map(p -> p[0] + "|" + p[1]).toList());
    later(millis, () -> {
      for (int[] p : pairs) {
        blocked[p[0]][p[1]] = Math.max(0, blocked[p[0]][p[1]] - 1);
        blocked[p[1]][p[0]] = Math.max(0, blocked[p[1]][p[0]] - 1);
      }
    });
  }

  private void crash(Node n) {
    trace("CRASH n" + n.id + " (durable " + n.durable + ", in memory " + n.mem + ", " + n.fsync.size() + " fsyncs lost)");
    n.up = false;
    n.paused = false;
    n.backlog.clear();
    n.incarnation++;
    n.fsync.clear();
    n.diskFreeAt = now;
    n.mem = n.durable;
    n.memLog = n.durableLog.copy();
    n.writer = null; // the process died: its clients hear nothing and time out
    n.writerId = -1;
  }

  private void restart(Node n) {
    if (n.up) return;
    if (n.awaitingDisk) {
      n.disks++;
      n.durable = n.mem = ReplicaState.lostDisk(STREAM, n.id, "disk-" + n.id + "-" + n.disks, cfg.bugs());
      n.durableLog = new InMemoryReplicaLog();
      n.memLog = new InMemoryReplicaLog();
      n.awaitingDisk = false;
    } else {
      n.mem = n.durable;
      n.memLog = n.durableLog.copy();
    }
    n.up = true;
    trace("RESTART n" + n.id + " " + n.mem);
  }

  private void resume(Node n) {
    if (!n.paused) return;
    trace("RESUME n" + n.id + " with " + n.backlog.size() + " queued events");
    n.paused = false;
    for (Ev ev : n.backlog) at(ev.node, now, ev.action);
    n.backlog.clear();
  }

  // ------------------------------------------------------------------ heal, settle, final reads

  private void beginFinalPhase() {
    active = false;
    calm = true;
    for (int[] row : blocked) java.util.Arrays.fill(row, 0);
    for (Node n : nodes) {
      resume(n);
      restart(n);
    }
    // SBR downs every zombie; sharding starts exactly one owner, on a replica that can vote.
    int pick = routed;
    for (int i = 0; i < nodes.length && nodes[pick].mem.limbo(); i++) pick = (pick + 1) % nodes.length;
    finalOwner = pick;
    routed = pick;
    zombie = -1;
    trace("FINAL PHASE: owner n" + pick);
    for (Node n : nodes) stopWriter(n);
    startWriter(nodes[pick]);
    later(cfg.settleMillis(), () -> {
      SimClient reader = clients.get(cfg.clients());
      for (Node n : nodes) reader.finalRead(n.id);
    });
  }
}
