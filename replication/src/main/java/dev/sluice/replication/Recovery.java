package dev.sluice.replication;

import dev.sluice.replication.Bugs.Bug;
import dev.sluice.replication.Effect.SetTimer;
import dev.sluice.replication.Message.Fence;
import dev.sluice.replication.Message.Promise;
import dev.sluice.replication.Message.Read;
import dev.sluice.replication.Message.ReadOk;
import dev.sluice.replication.Writer.Settings;
import dev.sluice.replication.Writer.Timer;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The {@link Writer}'s opening, up to the re-stamp: fence rounds with ever higher epochs until a majority
 * promises, the choice of C = max(lac) and of the best log (highest tailEpoch, then tailSeq; its tail is
 * T), and the paged read of best's (C, T] (from 0 with producer dedupe, which needs every stamp) into
 * the writer's {@link Window} and a fresh {@link ProducerTable}. The writer owns the phase: it routes
 * messages here only while FENCING or READING and acts on the returned {@link Step}; the re-stamp of
 * (C, T] that follows is the writer's (docs/replication.md, "Owner").
 *
 * <p>Not thread-safe; confined to the owning {@link Writer}.
 */
final class Recovery {
  /** What the writer does next after a recovery message. */
  enum Step {
    /** Nothing changes phase (waiting for more promises, refusals, or pages). */
    WAIT,
    /** A majority promised and best's log is not empty: its first page is requested. */
    READ,
    /** Best's (C, T] is in the window: re-stamp it. */
    RECOVERED,
    /** Best lacks committed data or does not hold what it promised: never adopt it. */
    INCONSISTENT,
    /** Fenced out of every attempt. */
    REJECTED
  }

  private final String stream;
  private final int node;
  private final Settings settings;
  private final Bugs bugs;
  private final Window window;
  private final Outbox out;

  private long epoch;
  private long highestSeen;
  private int attempt;
  private boolean retryPending;
  private final Map<Integer, Promise> promises = new TreeMap<>(); // ordered: ties in best pick the same replica every run
  private final Set<Integer> refusals = new HashSet<>();
  private Promise best;
  private long recoveredCommit; // C
  private long recoveredTail; // T
  private ProducerTable producers;
  private long readNext; // next page starts after this seq
  private long readNextAtBeat = -1;
  private long pages;

  Recovery(String stream, int node, long highestSeen, Settings settings, Bugs bugs, Window window, Outbox out) {
    this.stream = stream;
    this.node = node;
    this.highestSeen = highestSeen;
    this.settings = settings;
    this.bugs = bugs;
    this.window = window;
    this.out = out;
  }

  /** The epoch of the current (or last) fence round; the writer's epoch once it fenced a majority. */
  long epoch() {
    return epoch;
  }

  /** C: everything up to here was committed before we fenced. */
  long recoveredCommit() {
    return recoveredCommit;
  }

  /** T: best's tail, the end of what we adopt. */
  long recoveredTail() {
    return recoveredTail;
  }

  /** The producer table rebuilt from the read, or null without producer dedupe. */
  ProducerTable producers() {
    return producers;
  }

  /** Recovery read pages requested, re-requests included. */
  long pages() {
    return pages;
  }

  /** The first fence round. */
  void start() {
    attempt = 0;
    fenceRound();
  }

  private void fenceRound() {
    retryPending = false;
    attempt++;
    epoch = Epoch.next(Math.max(highestSeen, epoch), node);
    promises.clear();
    refusals.clear();
    out.broadcast(new Fence(stream, epoch));
    armOpenDeadline();
  }

  /** The open deadline of the current attempt, re-armed on every round that makes progress (fence, page, re-stamp ack). */
  void armOpenDeadline() {
    out.add(new SetTimer(new Timer.OpenDeadline(attempt), settings.openTimeoutMillis()));
  }

  /** Whether {@code d} is the deadline of the attempt under way (a retry's backoff is not a stall). */
  boolean expired(Timer.OpenDeadline d) {
    return d.attempt() == attempt && !retryPending;
  }

  /** While FENCING: the backoff after a refused round is over, fence again with a higher epoch. */
  void onFenceRetry(Timer.FenceRetry r) {
    if (r.attempt() == attempt && retryPending) fenceRound();
  }

  /** While FENCING. */
  Step onPromise(Promise p) {
    if (p.epoch() != epoch || retryPending) return Step.WAIT;
    promises.put(p.replica(), p);
    int needed = bugs.has(Bug.FENCE_AT_ONE) ? 1 : Quorum.FENCE;
    if (promises.size() < needed) return Step.WAIT;
    // Everything up to the highest lac is committed; the best log holds every acknowledged entry.
    recoveredCommit = promises.values().stream().mapToLong(Promise::lac).max().orElse(0);
    best = promises.values().stream().max(bugs.has(Bug.BEST_BY_SEQ_ONLY) ? Recovery::bySeqOnly : Recovery::byEpochThenSeq).orElseThrow();
    recoveredTail = best.tailSeq();
    if (recoveredCommit > recoveredTail) return Step.INCONSISTENT; // best lacks committed data: never adopt it
    window.reset(recoveredCommit, Epoch.NONE);
    producers = settings.producerDedupe() ? new ProducerTable() : null;
    if (recoveredTail == 0) return Step.RECOVERED;
    // Dedupe needs every producer stamp; without it only (C, T] matters (and entry C's epoch).
    readNext = producers != null ? 0 : recoveredCommit;
    requestPage();
    return Step.READ;
  }

  private static int byEpochThenSeq(Promise a, Promise b) {
    int c = Long.compare(a.tailEpoch(), b.tailEpoch());
    return c != 0 ? c : Long.compare(a.tailSeq(), b.tailSeq());
  }

  private static int bySeqOnly(Promise a, Promise b) {
    int c = Long.compare(a.tailSeq(), b.tailSeq());
    return c != 0 ? c : Long.compare(a.tailEpoch(), b.tailEpoch());
  }

  /** While FENCING: a {@code Reject} ({@code promised} is the replica's promise) or an {@code Unknown} (limbo). */
  Step onRefusal(long refusedEpoch, int replica, long promised) {
    if (refusedEpoch != epoch || retryPending) return Step.WAIT;
    highestSeen = Math.max(highestSeen, promised);
    refusals.add(replica);
    if (Quorum.REPLICAS - refusals.size() >= Quorum.FENCE) return Step.WAIT; // a quorum is still possible
    if (attempt >= settings.maxFenceAttempts()) return Step.REJECTED;
    // Backing off (the driver adds jitter) breaks most fence duels between two would-be owners.
    retryPending = true;
    out.add(new SetTimer(new Timer.FenceRetry(attempt), settings.fenceBackoffMillis() * attempt));
    return Step.WAIT;
  }

  /** While READING: whether {@code r} answers our recovery read (a peer fetch's answer does not). */
  boolean isPage(ReadOk r) {
    return r.requestId() == epoch && r.replica() == best.replica();
  }

  /** While READING: whether a {@code ReadUnavailable} with this requestId answers our recovery read. */
  boolean isRecoveryRead(long requestId) {
    return requestId == epoch;
  }

  /**
   * While READING: one page of best's log. Under our promise nobody else can change it, so it must
   * continue exactly where the previous page ended and reach T; anything else means best is not what it
   * promised.
   */
  Step onPage(ReadOk r) {
    if (r.fromSeq() != readNext) return Step.WAIT; // a duplicate of a page already taken
    if (r.upTo() != recoveredTail) return Step.INCONSISTENT;
    if (readNext == recoveredCommit) window.setBaseEpoch(r.fromEpoch());
    for (Entry e : r.entries()) {
      if (e.seq() != readNext + 1) return Step.INCONSISTENT;
      readNext = e.seq();
      if (producers != null && !bugs.has(Bug.NO_DEDUPE_REBUILD)) producers.record(e);
      if (e.seq() == recoveredCommit) window.setBaseEpoch(e.epoch());
      if (e.seq() > recoveredCommit) window.add(e);
    }
    if (readNext >= recoveredTail) return Step.RECOVERED;
    if (r.entries().isEmpty()) return Step.INCONSISTENT;
    armOpenDeadline(); // progress: the deadline is per page, not for the whole log
    requestPage();
    return Step.WAIT;
  }

  /** While READING. Artery is at-most-once: a lost page would otherwise wait for the open deadline. */
  void heartbeat() {
    if (readNext == readNextAtBeat) requestPage();
    readNextAtBeat = readNext;
  }

  private void requestPage() {
    pages++;
    out.send(best.replica(), new Read(stream, epoch, readNext, settings.readPageEntries(), settings.readPageBytes(), epoch));
  }
}
