package dev.sluice.replication;

import dev.sluice.replication.Bugs.Bug;
import dev.sluice.replication.Effect.Send;
import dev.sluice.replication.Effect.SetTimer;
import dev.sluice.replication.Message.Ack;
import dev.sluice.replication.Message.Append;
import dev.sluice.replication.Message.Appended;
import dev.sluice.replication.Message.ClientAppend;
import dev.sluice.replication.Message.Commit;
import dev.sluice.replication.Message.Duplicate;
import dev.sluice.replication.Message.Fence;
import dev.sluice.replication.Message.Fenced;
import dev.sluice.replication.Message.Gap;
import dev.sluice.replication.Message.Probe;
import dev.sluice.replication.Message.ProbeOk;
import dev.sluice.replication.Message.Promise;
import dev.sluice.replication.Message.Read;
import dev.sluice.replication.Message.ReadOk;
import dev.sluice.replication.Message.ReadUnavailable;
import dev.sluice.replication.Message.Reason;
import dev.sluice.replication.Message.Reject;
import dev.sluice.replication.Message.Rejected;
import dev.sluice.replication.Message.ToWriter;
import dev.sluice.replication.Message.Uncertain;
import dev.sluice.replication.Message.Unknown;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The owner of one stream: the single writer the journal enforces, whatever Cluster Sharding believes.
 *
 * <pre>
 *   FENCING --2 promises--> READING --best's log--> RESTAMPING --2 acks at T--> SERVING
 *      |  (reject/unknown: retry with a higher epoch, bounded)                    |
 *      +------------- timeout / Fenced / unavailable / stop() --------------> CLOSED
 * </pre>
 *
 * <p>Open: fence a new epoch on a majority, take C = max(lac) and the log of the replica with the
 * highest (tailEpoch, tailSeq), re-append (C, T] stamped with our epoch (Paxos phase 2 with the adopted
 * values; it avoids Raft's "Figure 8" of counting old-epoch copies) and serve once 2 replicas hold T.
 * Append: send to all 3 with the previous seq/epoch for log matching; a client is answered once 2
 * replicas acked its entry and every earlier one. Producer dedupe is rebuilt from the recovered log.
 *
 * <p>Not thread-safe; confined to the owning actor. Time comes in as {@link Timer} events.
 */
public final class Writer {
  public enum Phase { FENCING, READING, RESTAMPING, SERVING, CLOSED }

  public enum CloseReason { FENCED, TIMEOUT, REJECTED, UNAVAILABLE, INCONSISTENT, STOPPED }

  /** Timer events the driver feeds back after {@link SetTimer}'s delay. */
  public sealed interface Timer {
    record OpenDeadline(int attempt) implements Timer {}

    record FenceRetry(int attempt) implements Timer {}

    record AppendDeadline(long seq) implements Timer {}

    record Heartbeat() implements Timer {}
  }

  /** Timeouts and retry policy; see docs/replication.md for how they relate to Artery and SBR. */
  public record Settings(long openTimeoutMillis, long appendTimeoutMillis, long heartbeatMillis,
                         int maxFenceAttempts, long fenceBackoffMillis) {
    public static Settings defaults() {
      return new Settings(300, 400, 20, 3, 15);
    }
  }

  /** A client waiting for {@code seq} to commit; {@code reportOffset} is what a duplicate reply shows (-1: unknown). */
  private record Waiter(Address client, long requestId, boolean duplicate, long reportOffset) {}

  /** A definite rejection held until a quorum confirms we still own the stream (read index). */
  private record HeldRejection(Address client, long requestId, Reason reason, long nonce) {}

  private final String stream;
  private final int node;
  private final Settings settings;
  private final Bugs bugs;

  private Phase phase = Phase.FENCING;
  private CloseReason closeReason;
  private long epoch;
  private long highestSeen;
  private int attempt;
  private boolean retryPending;
  private final Map<Integer, Promise> promises = new TreeMap<>(); // ordered: ties in best pick the same replica every run
  private final Set<Integer> refusals = new HashSet<>();
  private Promise best;
  private long recoveredCommit; // C
  private long recoveredTail; // T

  private final List<Entry> log = new ArrayList<>();
  private long lac;
  private final long[] matched = new long[Quorum.REPLICAS];
  private final long[] voted = new long[Quorum.REPLICAS];
  private final TreeMap<Long, List<Waiter>> waiters = new TreeMap<>();
  private ProducerTable producers = new ProducerTable();
  private final List<HeldRejection> held = new ArrayList<>();
  private final long[] probed = new long[Quorum.REPLICAS];
  private long probeNonce;

  private List<Effect> out = new ArrayList<>();

  private Writer(String stream, int node, long highestSeen, Settings settings, Bugs bugs) {
    this.stream = stream;
    this.node = node;
    this.highestSeen = highestSeen;
    this.settings = settings;
    this.bugs = bugs;
  }

  /** A writer for {@code stream} on storage node {@code node}; {@code highestSeen} is the local replica's promise. */
  public static Writer create(String stream, int node, long highestSeen, Settings settings, Bugs bugs) {
    return new Writer(stream, node, highestSeen, settings, bugs);
  }

  public Phase phase() {
    return phase;
  }

  public CloseReason closeReason() {
    return closeReason;
  }

  public long epoch() {
    return epoch;
  }

  public long lac() {
    return lac;
  }

  public long tailSeq() {
    return log.size();
  }

  public List<Entry> log() {
    return List.copyOf(log);
  }

  /** Begin opening: the first fence round. */
  public List<Effect> start() {
    attempt = 0;
    fenceRound();
    out.add(new SetTimer(new Timer.Heartbeat(), settings.heartbeatMillis()));
    return drain();
  }

  /** Ownership handed off (the entity stops): pending clients learn nothing definite. */
  public List<Effect> stop() {
    close(CloseReason.STOPPED);
    return drain();
  }

  public List<Effect> handle(Address from, ToWriter m) {
    if (m instanceof ClientAppend c) {
      clientAppend(from, c);
    } else if (m instanceof Promise p) {
      if (p.epoch() == epoch && phase == Phase.FENCING && !retryPending) onPromise(p);
    } else if (m instanceof Reject r) {
      onRefusal(r.epoch(), r.replica(), r.promised());
    } else if (m instanceof Unknown u) {
      onRefusal(u.epoch(), u.replica(), Epoch.NONE);
    } else if (m instanceof ReadOk r) {
      if (phase == Phase.READING && r.requestId() == epoch && r.replica() == best.replica()) onRecoveryRead(r);
    } else if (m instanceof ReadUnavailable r) {
      if (phase == Phase.READING && r.requestId() == epoch) close(CloseReason.UNAVAILABLE);
    } else if (m instanceof Ack a) {
      if (a.epoch() == epoch && replicating()) onAck(a);
    } else if (m instanceof Gap g) {
      if (g.epoch() == epoch && replicating()) catchUp(g.replica(), Math.min(g.lac(), log.size()));
    } else if (m instanceof ProbeOk p) {
      if (p.epoch() == epoch && replicating()) onProbeOk(p);
    } else if (m instanceof Fenced f) {
      if (f.epoch() == epoch && phase != Phase.CLOSED) close(CloseReason.FENCED);
    }
    return drain();
  }

  public List<Effect> onTimer(Timer t) {
    if (t instanceof Timer.OpenDeadline d) {
      boolean opening = phase == Phase.FENCING || phase == Phase.READING || phase == Phase.RESTAMPING;
      if (d.attempt() == attempt && opening && !retryPending) close(CloseReason.TIMEOUT);
    } else if (t instanceof Timer.FenceRetry r) {
      if (r.attempt() == attempt && phase == Phase.FENCING && retryPending) fenceRound();
    } else if (t instanceof Timer.AppendDeadline d) {
      if (replicating() && lac < d.seq()) close(CloseReason.TIMEOUT);
    } else if (t instanceof Timer.Heartbeat) {
      heartbeat();
    }
    return drain();
  }

  // ------------------------------------------------------------------ open

  private void fenceRound() {
    retryPending = false;
    attempt++;
    epoch = Epoch.next(Math.max(highestSeen, epoch), node);
    promises.clear();
    refusals.clear();
    broadcast(new Fence(stream, epoch));
    out.add(new SetTimer(new Timer.OpenDeadline(attempt), settings.openTimeoutMillis()));
  }

  private void onPromise(Promise p) {
    promises.put(p.replica(), p);
    int needed = bugs.has(Bug.FENCE_AT_ONE) ? 1 : Quorum.FENCE;
    if (promises.size() < needed) return;
    // Everything up to the highest lac is committed; the best log holds every acknowledged entry.
    recoveredCommit = promises.values().stream().mapToLong(Promise::lac).max().orElse(0);
    best = promises.values().stream().max(bugs.has(Bug.BEST_BY_SEQ_ONLY) ? Writer::bySeqOnly : Writer::byEpochThenSeq).orElseThrow();
    if (best.tailSeq() == 0) {
      beginRestamp(List.of());
      return;
    }
    phase = Phase.READING;
    send(best.replica(), new Read(stream, epoch, 0, Integer.MAX_VALUE, epoch));
  }

  private static int byEpochThenSeq(Promise a, Promise b) {
    int c = Long.compare(a.tailEpoch(), b.tailEpoch());
    return c != 0 ? c : Long.compare(a.tailSeq(), b.tailSeq());
  }

  private static int bySeqOnly(Promise a, Promise b) {
    int c = Long.compare(a.tailSeq(), b.tailSeq());
    return c != 0 ? c : Long.compare(a.tailEpoch(), b.tailEpoch());
  }

  private void onRefusal(long refusedEpoch, int replica, long promised) {
    if (refusedEpoch != epoch || phase != Phase.FENCING || retryPending) return;
    highestSeen = Math.max(highestSeen, promised);
    refusals.add(replica);
    if (Quorum.REPLICAS - refusals.size() >= Quorum.FENCE) return; // a quorum is still possible
    if (attempt >= settings.maxFenceAttempts()) {
      close(CloseReason.REJECTED);
      return;
    }
    // Backing off (the driver adds jitter) breaks most fence duels between two would-be owners.
    retryPending = true;
    out.add(new SetTimer(new Timer.FenceRetry(attempt), settings.fenceBackoffMillis() * attempt));
  }

  private void onRecoveryRead(ReadOk r) {
    List<Entry> entries = r.entries();
    if (entries.size() != best.tailSeq() || recoveredCommit > entries.size()) {
      close(CloseReason.INCONSISTENT); // best changed under our promise or lacks committed data: never adopt it
      return;
    }
    beginRestamp(entries);
  }

  private void beginRestamp(List<Entry> adopted) {
    long c = recoveredCommit;
    log.clear();
    for (Entry e : adopted) log.add(e.seq() <= c || bugs.has(Bug.NO_RESTAMP) ? e : e.restamp(epoch));
    recoveredTail = log.size();
    lac = c;
    producers = bugs.has(Bug.NO_DEDUPE_REBUILD) ? new ProducerTable() : ProducerTable.rebuild(log);
    if (bugs.has(Bug.SKIP_RECOVERY_REAPPEND)) {
      lac = recoveredTail;
      phase = Phase.SERVING;
      return;
    }
    phase = Phase.RESTAMPING;
    broadcast(new Append(stream, epoch, c, epochAt(c), log.subList((int) c, log.size()), c));
    advanceCommit(); // FENCE_AT_ONE/ACK_AT_ONE-style bugs aside, this waits for acks
  }

  // ------------------------------------------------------------------ replicate

  private boolean replicating() {
    return phase == Phase.RESTAMPING || phase == Phase.SERVING;
  }

  private void clientAppend(Address from, ClientAppend c) {
    if (phase != Phase.SERVING) {
      send(from, new Rejected(c.requestId(), Reason.NOT_OWNER));
      return;
    }
    if (c.producer() != null) {
      ProducerTable.Check check = producers.check(c.producer());
      switch (check.verdict()) {
        case REJECT -> { holdRejection(from, c.requestId(), check.reason()); return; }
        case DUPLICATE -> { duplicate(from, c.requestId(), check.lastOffset(), check.exact()); return; }
        case ACCEPT -> { }
      }
    }
    long seq = log.size() + 1L;
    Entry e = new Entry(seq, epoch, c.payload(), c.producer());
    log.add(e);
    producers.record(e);
    waiters.computeIfAbsent(seq, k -> new ArrayList<>()).add(new Waiter(from, c.requestId(), false, seq));
    broadcast(new Append(stream, epoch, seq - 1, epochAt(seq - 1), List.of(e), lac));
    out.add(new SetTimer(new Timer.AppendDeadline(seq), settings.appendTimeoutMillis()));
  }

  /**
   * A retried producer seq: answer with the original offset, but only once the producer's latest entry
   * is committed (a zombie's log may hold it uncommitted; every older seq lies below it).
   */
  private void duplicate(Address from, long requestId, long lastOffset, boolean exact) {
    long report = exact ? lastOffset : -1;
    if (lastOffset <= lac) {
      send(from, new Duplicate(requestId, report));
    } else {
      waiters.computeIfAbsent(lastOffset, k -> new ArrayList<>()).add(new Waiter(from, requestId, true, report));
    }
  }

  /**
   * Why not reject at once: a zombie owner's producer table is stale, and "seq gap" or "stale epoch" is
   * a definite answer the client acts on. Probe a quorum first; if we were fenced, say NOT_OWNER.
   */
  private void holdRejection(Address from, long requestId, Reason reason) {
    long nonce = ++probeNonce;
    held.add(new HeldRejection(from, requestId, reason, nonce));
    broadcast(new Probe(stream, epoch, nonce));
  }

  private void onProbeOk(ProbeOk p) {
    probed[p.replica()] = Math.max(probed[p.replica()], p.nonce());
    long[] v = probed.clone();
    Arrays.sort(v);
    long confirmed = v[v.length - Quorum.ACK];
    held.removeIf(h -> {
      if (h.nonce() > confirmed) return false;
      send(h.client(), new Rejected(h.requestId(), h.reason()));
      return true;
    });
  }

  private void onAck(Ack a) {
    int r = a.replica();
    long upTo = Math.min(a.lastSeq(), log.size());
    matched[r] = Math.max(matched[r], upTo);
    if (a.voting()) voted[r] = Math.max(voted[r], upTo);
    advanceCommit();
  }

  /** lac = the highest seq held by an ack quorum; holding seq s means holding our whole log up to s. */
  private void advanceCommit() {
    long[] v = voted.clone();
    Arrays.sort(v);
    int quorum = bugs.has(Bug.ACK_AT_ONE) ? 1 : Quorum.ACK;
    long q = Math.min(v[v.length - quorum], log.size());
    if (q > lac) lac = q;
    if (phase == Phase.RESTAMPING && lac >= recoveredTail) phase = Phase.SERVING;
    while (!waiters.isEmpty() && waiters.firstKey() <= lac) {
      var first = waiters.pollFirstEntry();
      for (Waiter w : first.getValue()) {
        send(w.client(), w.duplicate() ? new Duplicate(w.requestId(), w.reportOffset()) : new Appended(w.requestId(), first.getKey()));
      }
    }
  }

  private void catchUp(int replica, long prev) {
    send(replica, new Append(stream, epoch, prev, epochAt(prev), log.subList((int) prev, log.size()), lac));
  }

  private void heartbeat() {
    if (phase == Phase.CLOSED) return;
    if (replicating()) {
      // Re-send what a replica has not acked: Artery is at-most-once, and a lost append would
      // otherwise only be repaired by the next client append's Gap.
      for (int r = 0; r < Quorum.REPLICAS; r++) {
        if (matched[r] < log.size()) catchUp(r, matched[r]);
      }
      if (lac > 0) broadcast(new Commit(stream, epoch, lac));
    }
    out.add(new SetTimer(new Timer.Heartbeat(), settings.heartbeatMillis()));
  }

  private void close(CloseReason reason) {
    if (phase == Phase.CLOSED) return;
    phase = Phase.CLOSED;
    closeReason = reason;
    for (List<Waiter> ws : waiters.values()) for (Waiter w : ws) send(w.client(), new Uncertain(w.requestId()));
    waiters.clear();
    for (HeldRejection h : held) send(h.client(), new Rejected(h.requestId(), Reason.NOT_OWNER));
    held.clear();
  }

  // ------------------------------------------------------------------ helpers

  private long epochAt(long seq) {
    return seq == 0 ? Epoch.NONE : log.get((int) (seq - 1)).epoch();
  }

  private void broadcast(Message.ToReplica m) {
    for (int r = 0; r < Quorum.REPLICAS; r++) send(r, m);
  }

  private void send(int replica, Message m) {
    out.add(new Send(Address.replica(replica), m));
  }

  private void send(Address to, Message m) {
    out.add(new Send(to, m));
  }

  private List<Effect> drain() {
    List<Effect> r = out;
    out = new ArrayList<>();
    return List.copyOf(r);
  }

  @Override
  public String toString() {
    return "W" + node + "{" + phase + (closeReason != null ? "/" + closeReason : "") + ", epoch=" + Epoch.show(epoch)
        + ", tail=" + log.size() + ", lac=" + lac + "}";
  }
}
