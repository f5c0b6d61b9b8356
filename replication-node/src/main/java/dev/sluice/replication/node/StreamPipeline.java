package dev.sluice.replication.node;

import dev.sluice.replication.Address;
import dev.sluice.replication.Bugs;
import dev.sluice.replication.Effect;
import dev.sluice.replication.Entry;
import dev.sluice.replication.LogChange;
import dev.sluice.replication.Message;
import dev.sluice.replication.Message.ToReplica;
import dev.sluice.replication.PendingReplica;
import dev.sluice.replication.Replica;
import dev.sluice.replication.ReplicaLog;
import dev.sluice.replication.ReplicaState;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * One stream on one replica node, between steps: the overlay {@link Replica#handle} runs against, the
 * persists not yet durable, and the replies waiting for them. The {@link ReplicaNode} actor owns one
 * per active stream and does the IO; this class decides only the order.
 *
 * <pre>
 *   step(msg) -> Replica.handle -> Persist: queue a job (the overlay shows it at once)
 *                                  Committed: materialize with that job
 *                                  Send: now if nothing is queued or running, else after the last job
 *   nextPersist() -> all queued jobs folded into ONE store call (per-stream group commit), now running
 *   landed()      -> the running call is durable: release its replies
 * </pre>
 *
 * <p>Why replies wait: a reply (a promise, an ack) may rest on any earlier change of this stream, durable
 * or not, so it leaves only once every earlier persist has landed (docs/replication.md, "Durability is an
 * effect"). Why one call at a time: the {@link dev.sluice.replication.ReplicaStore} contract never runs
 * two persists of one stream concurrently; folding what queued behind the running one keeps a busy
 * stream at one fsync per round trip instead of one per message.
 *
 * <p>Not thread-safe; confined to the ReplicaNode actor.
 */
final class StreamPipeline {
  /** A message to send once allowed; {@code replyTo} is the writer actor when {@code to} is a writer. */
  record Outgoing(Address to, ActorRef<WriterDriver.Command> replyTo, Message message) {}

  /**
   * One store call: the latest meta, the folded change, the committed range to materialize (or null),
   * and whether it must be fsynced before it counts as done (false only if every folded step allowed
   * it: {@link Effect.Persist#sync()}).
   */
  record PersistCall(ReplicaState meta, LogChange change, Effect.Committed materialize, boolean sync) {}

  private static final class Job {
    final ReplicaState meta;
    final LogChange change;
    final long tailBefore;
    final boolean sync;
    Effect.Committed materialize;
    final List<Outgoing> sends = new ArrayList<>();

    Job(ReplicaState meta, LogChange change, long tailBefore, boolean sync) {
      this.sync = sync;
      this.meta = meta;
      this.change = change;
      this.tailBefore = tailBefore;
    }
  }

  private final String stream;
  private final PendingReplica pending;
  /** The log tail this actor has seen land; see {@link PinnedTailLog}. */
  private long durableTail;
  private final ArrayDeque<Job> queued = new ArrayDeque<>();
  private List<Job> running;
  private boolean touched = true;

  StreamPipeline(String stream, ReplicaState durableMeta, ReplicaLog storeLog) {
    this.stream = stream;
    this.durableTail = storeLog.tailSeq();
    if (durableTail != durableMeta.tailSeq()) {
      throw new IllegalStateException("store of " + stream + ": log tail " + durableTail + " != meta tail " + durableMeta.tailSeq());
    }
    this.pending = new PendingReplica(durableMeta, new PinnedTailLog(storeLog));
  }

  String stream() {
    return stream;
  }

  ReplicaState meta() {
    return pending.meta();
  }

  /** Runs one message; returns what may be sent at once (the rest waits for {@link #landed}). */
  List<Outgoing> step(Address from, ActorRef<WriterDriver.Command> replyTo, ToReplica m) {
    touched = true;
    Replica.Step st = Replica.handle(pending.meta(), pending.log(), from, m, Bugs.NONE);
    List<Outgoing> now = new ArrayList<>();
    Job last = null;
    for (Effect e : st.effects()) {
      if (e instanceof Effect.Persist p) {
        last = new Job(p.state(), p.log(), pending.meta().tailSeq(), p.sync());
        pending.stepped(p.state(), p.log());
        queued.addLast(last);
      } else if (e instanceof Effect.Committed c) {
        if (last == null) throw new IllegalStateException("Committed without a Persist before it in " + st.effects());
        last.materialize = c;
      } else if (e instanceof Effect.Send s) {
        Outgoing o = new Outgoing(s.to(), s.to().kind() == Address.Kind.WRITER ? replyTo : null, s.message());
        Job gate = lastJob();
        if (gate == null) now.add(o);
        else gate.sends.add(o);
      } else {
        throw new IllegalStateException("unexpected replica effect " + e);
      }
    }
    return now;
  }

  /** The next store call, if none is running and steps are waiting; it is running from now on. */
  PersistCall nextPersist() {
    if (running != null || queued.isEmpty()) return null;
    running = new ArrayList<>(queued);
    queued.clear();
    Job first = running.get(0);
    Job latest = running.get(running.size() - 1);
    List<LogChange> changes = new ArrayList<>();
    Effect.Committed materialize = null;
    boolean sync = false;
    for (Job j : running) {
      changes.add(j.change);
      sync |= j.sync;
      if (j.materialize != null) {
        // lac only grows, so successive ranges join into one.
        materialize = materialize == null ? j.materialize
            : new Effect.Committed(Math.min(materialize.afterSeq(), j.materialize.afterSeq()), Math.max(materialize.upToSeq(), j.materialize.upToSeq()));
      }
    }
    return new PersistCall(latest.meta, LogChanges.fold(first.tailBefore, changes), materialize, sync);
  }

  /** The running call is durable: the overlay drops its changes, and the replies it held may go. */
  List<Outgoing> landed() {
    if (running == null) throw new IllegalStateException("no persist running for " + stream);
    List<Outgoing> released = new ArrayList<>();
    for (Job j : running) {
      durableTail = j.change.tailAfter(durableTail);
      // PendingReplica tracks only non-empty changes; a meta-only persist must not pop a log change.
      if (!j.change.isEmpty()) pending.persisted();
      released.addAll(j.sends);
    }
    running = null;
    return released;
  }

  /** No persist running or waiting: the stream may be evicted. */
  boolean idle() {
    return running == null && queued.isEmpty();
  }

  boolean limbo() {
    return pending.meta().limbo();
  }

  /** Whether a step ran since the last call (the idle sweep's clock-free notion of "recently used"). */
  boolean touchedSinceLastSweep() {
    boolean t = touched;
    touched = false;
    return t;
  }

  private Job lastJob() {
    if (!queued.isEmpty()) return queued.peekLast();
    return running == null ? null : running.get(running.size() - 1);
  }

  /**
   * The store's log with the tail this actor has seen land, not the store's live tail.
   *
   * <p>Why: the store's view is live, so a batch becomes visible there before its completion reaches
   * this actor. A step run in that window would see the change twice, once in the store and once as
   * still in flight in {@link PendingReplica}'s overlay (tail too high, {@code Replica.handle} throws).
   * Entries up to the pinned tail are the same in both worlds: an in-flight change only ever rewrites
   * what lies above the overlay's surviving durable prefix, and the overlay reads nothing above that
   * from here.
   */
  private final class PinnedTailLog implements ReplicaLog {
    private final ReplicaLog store;

    PinnedTailLog(ReplicaLog store) {
      this.store = store;
    }

    @Override
    public long tailSeq() {
      return durableTail;
    }

    @Override
    public long epochAt(long seq) {
      if (seq > durableTail) throw new IllegalArgumentException("seq " + seq + " above the landed tail " + durableTail);
      return store.epochAt(seq);
    }

    @Override
    public List<Entry> entries(long fromSeq, int max, long maxBytes) {
      List<Entry> out = store.entries(fromSeq, max, maxBytes);
      int keep = 0;
      while (keep < out.size() && out.get(keep).seq() <= durableTail) keep++;
      return keep == out.size() ? out : out.subList(0, keep);
    }
  }
}
