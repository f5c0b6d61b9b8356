package dev.sluice.replication;

import dev.sluice.replication.Bugs.Bug;
import dev.sluice.replication.Effect.Committed;
import dev.sluice.replication.Effect.SetTimer;
import dev.sluice.replication.Message.Ack;
import dev.sluice.replication.Message.Append;
import dev.sluice.replication.Message.Appended;
import dev.sluice.replication.Message.ClientAppend;
import dev.sluice.replication.Message.Commit;
import dev.sluice.replication.Message.Duplicate;
import dev.sluice.replication.Message.Fenced;
import dev.sluice.replication.Message.Gap;
import dev.sluice.replication.Message.Probe;
import dev.sluice.replication.Message.ProbeOk;
import dev.sluice.replication.Message.Promise;
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
import java.util.List;
import java.util.TreeMap;

/**
 * The owner of one stream: the single writer the journal enforces, whatever Cluster Sharding believes.
 *
 * <pre>
 *   FENCING --2 promises--> READING --pages of best's (C, T]--> RESTAMPING --2 acks at T--> SERVING
 *      |  (reject/unknown: retry with a higher epoch, bounded)                              |
 *      +------------------ timeout / Fenced / unavailable / stop() ------------------> CLOSED
 * </pre>
 *
 * <p>Open: fence a new epoch on a majority, take C = max(lac) and the log of the replica with the
 * highest (tailEpoch, tailSeq), read its (C, T] page by page (from 0 if the writer keeps producer
 * dedupe, which needs every stamp), re-append (C, T] stamped with our epoch as ONE message (Paxos
 * phase 2 with the adopted values; it avoids Raft's "Figure 8") and serve once 2 replicas hold T.
 * Append: send to every replica that is in step with the previous seq/epoch for log matching; a client
 * is answered once 2 replicas acked its entry and every earlier one.
 *
 * <p>Memory: only a window of the log, (base, tail], stays here: every uncommitted entry, plus committed
 * entries some replica has not acked yet, up to a retention budget. A replica that needs entries below
 * the window gets them from a peer: the writer reads a page of committed entries from another replica
 * (its own node's first) and forwards it as an append. Catch-up goes one bounded chunk at a time per
 * replica, the next chunk on the ack of the previous one (docs/replication.md, "Window and catch-up").
 *
 * <p>Parts, each package-private: {@link Recovery} runs the opening up to the re-stamp (fence rounds,
 * the choice of C and best, the paged read of (C, T]); {@link CatchUp} keeps what the writer knows about
 * each replica once it replicates and brings one that lags up to date (the re-stamp message, live
 * appends, chunked catch-up, peer fetches below the window); {@link Window} holds the log in memory;
 * all emit effects through one {@link Outbox}, so they keep the order the step made them in. The writer
 * itself owns the phase and every change of it, the commit point (lac), the waiting clients and producer
 * dedupe.
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

  /**
   * Timeouts, retry policy and sizes; see docs/replication.md for how they relate to Artery and SBR.
   *
   * @param openTimeoutMillis    an open attempt fails if a round (fence, one read page, re-stamp) makes no progress this long
   * @param maxAppendEntries     entries per catch-up {@link Append} (a live append carries one entry)
   * @param maxAppendBytes       payload budget per catch-up {@link Append}, capped at {@link Message#MAX_BATCH_BYTES}
   * @param readPageEntries      entries per recovery or peer-fetch read page
   * @param readPageBytes        payload budget per read page, capped at {@link Message#MAX_BATCH_BYTES}
   * @param retainEntries        committed entries kept in memory for replicas that lag
   * @param retainBytes          committed bytes kept in memory for replicas that lag
   * @param producerDedupe       keep the idempotent-producer table (rebuilt from the whole log on recovery); off when the
   *                             stream entity dedupes from its recovered events
   */
  public record Settings(long openTimeoutMillis, long appendTimeoutMillis, long heartbeatMillis,
                         int maxFenceAttempts, long fenceBackoffMillis,
                         int maxAppendEntries, long maxAppendBytes, int readPageEntries, long readPageBytes,
                         int retainEntries, long retainBytes, boolean producerDedupe) {
    public Settings {
      if (maxAppendEntries < 1 || readPageEntries < 1 || maxAppendBytes < 1 || readPageBytes < 1 || retainEntries < 0 || retainBytes < 0) {
        throw new IllegalArgumentException("sizes must be positive");
      }
      maxAppendBytes = Math.min(maxAppendBytes, Message.MAX_BATCH_BYTES);
      readPageBytes = Math.min(readPageBytes, Message.MAX_BATCH_BYTES);
    }

    public static Settings defaults() {
      return new Settings(300, 400, 20, 3, 15, 1024, Message.MAX_BATCH_BYTES, 1024, Message.MAX_BATCH_BYTES, 4096, 4L << 20, true);
    }

    public Settings withSizes(int appendEntries, long appendBytes, int pageEntries, long pageBytes, int keepEntries, long keepBytes) {
      return new Settings(openTimeoutMillis, appendTimeoutMillis, heartbeatMillis, maxFenceAttempts, fenceBackoffMillis,
          appendEntries, appendBytes, pageEntries, pageBytes, keepEntries, keepBytes, producerDedupe);
    }

    public Settings withProducerDedupe(boolean on) {
      return new Settings(openTimeoutMillis, appendTimeoutMillis, heartbeatMillis, maxFenceAttempts, fenceBackoffMillis,
          maxAppendEntries, maxAppendBytes, readPageEntries, readPageBytes, retainEntries, retainBytes, on);
    }
  }

  /** Counters for metrics and for tests that must prove a path ran. */
  public record Stats(long recoveryPages, long peerFetches, long forwardedEntries, long trimmedEntries, int windowEntries, long windowBytes) {}

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
  private final Recovery recovery;
  /** Heartbeats left that re-announce the commit point after it last moved (loss cover; idle = silent). */
  private int commitRepeats;

  private final Window window = new Window();
  private long lac;
  /** Made when the re-stamp begins; null before. */
  private CatchUp catchUp;
  private final TreeMap<Long, List<Waiter>> waiters = new TreeMap<>();
  private ProducerTable producers;
  private final List<HeldRejection> held = new ArrayList<>();
  private final long[] probed = new long[Quorum.REPLICAS];
  private long probeNonce;
  private long trimmedEntries;

  private final Outbox out = new Outbox();

  private Writer(String stream, int node, long highestSeen, Settings settings, Bugs bugs) {
    this.stream = stream;
    this.node = node;
    this.settings = settings;
    this.bugs = bugs;
    this.recovery = new Recovery(stream, node, highestSeen, settings, bugs, window, out);
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
    return recovery.epoch();
  }

  /** Everything up to here is committed (on an ack quorum); materialize and answer readers up to it. */
  public long lac() {
    return lac;
  }

  public long tailSeq() {
    return window.tail();
  }

  /** The entries still held in memory, (base, tail]. */
  public List<Entry> window() {
    return window.all();
  }

  public long windowBase() {
    return window.base();
  }

  /**
   * What each replica acknowledged, by replica ordinal: it holds our log up to there. Lowered when a
   * replica answers {@link Gap} below it (it lost an unsynced suffix); all 0 until the re-stamp begins
   * (a replica's lac from its promise is not an ack to us). A copy, for operators and metrics.
   */
  public long[] matched() {
    return catchUp == null ? new long[Quorum.REPLICAS] : catchUp.matched();
  }

  public Stats stats() {
    long fetches = catchUp == null ? 0 : catchUp.fetches();
    long forwarded = catchUp == null ? 0 : catchUp.forwardedEntries();
    return new Stats(recovery.pages(), fetches, forwarded, trimmedEntries, window.size(), window.bytes());
  }

  /** Begin opening: the first fence round. */
  public List<Effect> start() {
    recovery.start();
    out.add(new SetTimer(new Timer.Heartbeat(), settings.heartbeatMillis()));
    return out.drain();
  }

  /** Ownership handed off (the entity stops): pending clients learn nothing definite. */
  public List<Effect> stop() {
    close(CloseReason.STOPPED);
    return out.drain();
  }

  /**
   * A client append ({@link ClientAppend}, answered with an {@link Message.AppendReply} sent to
   * {@code from} carrying the same requestId) or a replica's answer.
   */
  public List<Effect> handle(Address from, ToWriter m) {
    if (m instanceof ClientAppend c) {
      clientAppend(from, c);
    } else if (m instanceof Promise p) {
      if (phase == Phase.FENCING) opening(recovery.onPromise(p));
    } else if (m instanceof Reject r) {
      if (phase == Phase.FENCING) opening(recovery.onRefusal(r.epoch(), r.replica(), r.promised()));
    } else if (m instanceof Unknown u) {
      if (phase == Phase.FENCING) opening(recovery.onRefusal(u.epoch(), u.replica(), Epoch.NONE));
    } else if (m instanceof ReadOk r) {
      if (phase == Phase.READING && recovery.isPage(r)) opening(recovery.onPage(r));
      else if (replicating()) catchUp.onFetched(r, lac);
    } else if (m instanceof ReadUnavailable r) {
      if (phase == Phase.READING && recovery.isRecoveryRead(r.requestId())) close(CloseReason.UNAVAILABLE);
      else if (replicating()) catchUp.onFetchFailed(r.replica(), r.requestId());
    } else if (m instanceof Ack a) {
      if (a.epoch() == epoch() && replicating()) onAck(a);
    } else if (m instanceof Gap g) {
      if (g.epoch() == epoch() && replicating()) catchUp.onGap(g, lac);
    } else if (m instanceof ProbeOk p) {
      if (p.epoch() == epoch() && replicating()) onProbeOk(p);
    } else if (m instanceof Fenced f) {
      if (f.epoch() == epoch() && phase != Phase.CLOSED) close(CloseReason.FENCED);
    }
    return out.drain();
  }

  public List<Effect> onTimer(Timer t) {
    if (t instanceof Timer.OpenDeadline d) {
      boolean opening = phase == Phase.FENCING || phase == Phase.READING || phase == Phase.RESTAMPING;
      if (opening && recovery.expired(d)) close(CloseReason.TIMEOUT);
    } else if (t instanceof Timer.FenceRetry r) {
      if (phase == Phase.FENCING) recovery.onFenceRetry(r);
    } else if (t instanceof Timer.AppendDeadline d) {
      if (replicating() && lac < d.seq()) close(CloseReason.TIMEOUT);
    } else if (t instanceof Timer.Heartbeat) {
      heartbeat();
    }
    return out.drain();
  }

  // ------------------------------------------------------------------ open

  /** Acts on what recovery says after a message it handled while FENCING or READING. */
  private void opening(Recovery.Step step) {
    switch (step) {
      case WAIT -> { }
      case READ -> phase = Phase.READING;
      case RECOVERED -> beginRestamp();
      case INCONSISTENT -> close(CloseReason.INCONSISTENT);
      case REJECTED -> close(CloseReason.REJECTED);
    }
  }

  /**
   * Recovery put best's (C, T] in the window: adopt it with our epoch, sent to every replica, and serve
   * once 2 of them hold T.
   */
  private void beginRestamp() {
    long c = recovery.recoveredCommit();
    long t = recovery.recoveredTail();
    producers = recovery.producers();
    if (!bugs.has(Bug.NO_RESTAMP)) window.restamp(epoch(), c);
    lac = c;
    catchUp = new CatchUp(stream, node, epoch(), c, t, settings, bugs, window, out);
    if (bugs.has(Bug.SKIP_RECOVERY_REAPPEND)) {
      if (t > lac) setLac(t);
      phase = Phase.SERVING;
      return;
    }
    phase = Phase.RESTAMPING;
    catchUp.restamp();
    recovery.armOpenDeadline();
    advanceCommit();
  }

  // ------------------------------------------------------------------ replicate

  private boolean replicating() {
    return phase == Phase.RESTAMPING || phase == Phase.SERVING;
  }

  private void clientAppend(Address from, ClientAppend c) {
    if (phase != Phase.SERVING) {
      out.send(from, new Rejected(c.requestId(), Reason.NOT_OWNER));
      return;
    }
    if (c.producer() != null && producers != null) {
      ProducerTable.Check check = producers.check(c.producer());
      switch (check.verdict()) {
        case REJECT -> { holdRejection(from, c.requestId(), check.reason()); return; }
        case DUPLICATE -> { duplicate(from, c.requestId(), check.lastOffset(), check.exact()); return; }
        case ACCEPT -> { }
      }
    }
    long seq = window.tail() + 1;
    Entry e = new Entry(seq, epoch(), c.payload(), c.producer());
    window.add(e);
    if (producers != null) producers.record(e);
    waiters.computeIfAbsent(seq, k -> new ArrayList<>()).add(new Waiter(from, c.requestId(), false, seq));
    catchUp.replicate(e, lac);
    out.add(new SetTimer(new Timer.AppendDeadline(seq), settings.appendTimeoutMillis()));
  }

  /**
   * A retried producer seq: answer with the original offset, but only once the producer's latest entry
   * is committed (a zombie's log may hold it uncommitted; every older seq lies below it).
   */
  private void duplicate(Address from, long requestId, long lastOffset, boolean exact) {
    long report = exact ? lastOffset : -1;
    if (lastOffset <= lac) {
      out.send(from, new Duplicate(requestId, report));
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
    out.broadcast(new Probe(stream, epoch(), nonce));
  }

  private void onProbeOk(ProbeOk p) {
    probed[p.replica()] = Math.max(probed[p.replica()], p.nonce());
    long[] v = probed.clone();
    Arrays.sort(v);
    long confirmed = v[v.length - Quorum.ACK];
    held.removeIf(h -> {
      if (h.nonce() > confirmed) return false;
      out.send(h.client(), new Rejected(h.requestId(), h.reason()));
      return true;
    });
  }

  private void onAck(Ack a) {
    boolean progress = catchUp.onAck(a);
    // Re-stamping waits for a second replica at T, which may first need a long catch-up: the open
    // deadline is for a stall, not for the whole catch-up.
    if (phase == Phase.RESTAMPING && progress) recovery.armOpenDeadline();
    advanceCommit();
    catchUp.pump(a.replica(), lac);
  }

  /** lac = the highest seq held by an ack quorum; holding seq s means holding our whole log up to s. */
  private void advanceCommit() {
    int quorum = bugs.has(Bug.ACK_AT_ONE) ? 1 : Quorum.ACK;
    long q = Math.min(catchUp.heldByQuorum(quorum), window.tail());
    if (q > lac) {
      setLac(q);
      announceCommit();
    }
    if (phase == Phase.RESTAMPING && lac >= recovery.recoveredTail()) phase = Phase.SERVING;
    while (!waiters.isEmpty() && waiters.firstKey() <= lac) {
      var first = waiters.pollFirstEntry();
      for (Waiter w : first.getValue()) {
        out.send(w.client(), w.duplicate() ? new Duplicate(w.requestId(), w.reportOffset()) : new Appended(w.requestId(), first.getKey()));
      }
    }
    trim();
  }

  /**
   * Tells every replica the new commit point at once, not at the next heartbeat: a follower serves
   * reads only up to its lac, so a read through another node right after an acknowledgement would
   * otherwise wait up to a heartbeat for data that is already committed. The next append carries lac
   * too; under load the per-node batcher merges these into the batches that go anyway. A few
   * heartbeats repeat it (Artery may drop a message); an idle stream then sends nothing.
   */
  private void announceCommit() {
    commitRepeats = COMMIT_REPEAT_BEATS;
    out.broadcast(new Commit(stream, epoch(), lac));
  }

  private static final int COMMIT_REPEAT_BEATS = 3;

  private void setLac(long newLac) {
    out.add(new Committed(lac, newLac));
    lac = newLac;
  }

  /**
   * Keep every uncommitted entry, and committed ones until every replica acked them, but no more
   * committed history than the retention budget: a replica that lags further is served from a peer.
   */
  private void trim() {
    long keepFrom = Math.min(lac, catchUp.lowestMatched());
    keepFrom = Math.max(keepFrom, lac - settings.retainEntries());
    long before = window.base();
    window.trimTo(keepFrom);
    if (window.base() < lac) {
      long committedBytes = window.bytes() - window.bytesAbove(lac);
      long s = window.base();
      while (s < lac && committedBytes > settings.retainBytes()) {
        s++;
        committedBytes -= window.get(s).sizeBytes();
      }
      window.trimTo(s);
    }
    trimmedEntries += window.base() - before;
  }

  private void heartbeat() {
    if (phase == Phase.CLOSED) return;
    if (phase == Phase.READING) {
      recovery.heartbeat();
    } else if (replicating()) {
      catchUp.heartbeat(lac);
      if (lac > 0 && commitRepeats > 0) {
        commitRepeats--;
        out.broadcast(new Commit(stream, epoch(), lac));
      }
    }
    out.add(new SetTimer(new Timer.Heartbeat(), settings.heartbeatMillis()));
  }

  private void close(CloseReason reason) {
    if (phase == Phase.CLOSED) return;
    phase = Phase.CLOSED;
    closeReason = reason;
    for (List<Waiter> ws : waiters.values()) for (Waiter w : ws) out.send(w.client(), new Uncertain(w.requestId()));
    waiters.clear();
    for (HeldRejection h : held) out.send(h.client(), new Rejected(h.requestId(), Reason.NOT_OWNER));
    held.clear();
  }

  @Override
  public String toString() {
    return "W" + node + "{" + phase + (closeReason != null ? "/" + closeReason : "") + ", epoch=" + Epoch.show(epoch())
        + ", window=(" + window.base() + ", " + window.tail() + "], lac=" + lac + "}";
  }
}
