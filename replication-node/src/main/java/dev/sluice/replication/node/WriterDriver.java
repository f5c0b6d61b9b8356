package dev.sluice.replication.node;

import dev.sluice.replication.Address;
import dev.sluice.replication.Bugs;
import dev.sluice.replication.Effect;
import dev.sluice.replication.Epoch;
import dev.sluice.replication.Message;
import dev.sluice.replication.Message.AppendReply;
import dev.sluice.replication.Payload;
import dev.sluice.replication.Quorum;
import dev.sluice.replication.Writer;
import dev.sluice.replication.node.Wire.ToReplicaItem;
import dev.sluice.replication.node.Wire.ToWriterItem;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.slf4j.Logger;

/**
 * The owner's handle on one stream: drives one {@link Writer} in an actor on the owner node and gives
 * the journal plugin futures. Made by {@link ReplicationNode#openWriter}; thread-safe.
 *
 * <pre>
 *   openWriter -> [ask local replica's promise] -> Writer.start(): FENCING .. SERVING  => opened() completes
 *                                                                         \-> CLOSED   => opened() fails
 *   append(bytes) -> ClientAppend -> Appended(offset)  => completes with the offset
 *                                 -> Rejected(reason)  => AppendRejectedException (definitely not written)
 *                                 -> Uncertain         => AppendUncertainException (the next owner's recovery decides)
 * </pre>
 *
 * <p>A closed writer stays closed (its epoch is fenced or unusable): appends are then rejected
 * {@code NOT_OWNER}, and the caller opens a new driver. Call {@link #stop()} when done with it.
 *
 * <p>Logs (INFO, never per append): why the writer opens (the caller's reason), each fence round
 * and the refusal that caused a retry, what recovery found, the catch-up of a replica that fell
 * behind by {@link #REPAIR_LOG_ENTRIES} or more, and why the writer closed. Publishes a read-only
 * {@link State} after every message it handles ({@link #state()}: metrics, the admin endpoint).
 */
public final class WriterDriver {
  public sealed interface Command permits ToWriterItem, LocalPromise, Append, TimerFired, Stop {}

  /** The local replica's promise for the stream (see {@link ReplicaNode.ReadPromise}). Local only. */
  public record LocalPromise(long promised) implements Command, NoSerializationVerificationNeeded {}

  /** A client append from {@link #append}; local only (it carries the caller's future). */
  record Append(byte[] payload, CompletableFuture<Long> result) implements Command, NoSerializationVerificationNeeded {}

  record TimerFired(Writer.Timer timer) implements Command, NoSerializationVerificationNeeded {}

  enum Stop implements Command, NoSerializationVerificationNeeded { INSTANCE }

  /** The stream as its new owner found it: its epoch, the recovered tail (the next append gets tailSeq + 1) and the commit point. */
  public record OpenResult(long epoch, long tailSeq, long lac) {}

  /**
   * What the writer looked like after the last message it handled: its phase and epoch, its log tail
   * and commit point (entries, 1-based), per replica ordinal the highest entry this writer knows the
   * replica holds (what it acknowledged to this writer, or the commit point it reported with its
   * promise; 0 for a replica that has not answered this writer), and the commit point the writer
   * recovered when it opened. Immutable.
   */
  public record State(String stream, Writer.Phase phase, long epoch, long tailSeq, long lac, long[] acked,
                      long openedCommitted, Writer.CloseReason closeReason) {
    public State {
      acked = acked.clone();
    }

    /**
     * Entries of this writer replica {@code replica} is not known to hold. A replica this writer has
     * not heard from (down since before the open) is taken to hold what was committed when it opened:
     * its lag counts what was appended since, not the whole log, so the metric summed over streams
     * shows a replica falling behind rather than every failover's history. (Once it answers, its Gap
     * or Ack gives its real position.)
     */
    public long lag(int replica) {
      return Math.max(0, tailSeq - Math.max(acked[replica], openedCommitted));
    }

    /** The highest entry this writer knows replica {@code replica} holds (0: not heard from). */
    public long acked(int replica) {
      return acked[replica];
    }

    @Override
    public long[] acked() {
      return acked.clone();
    }
  }

  /** A replica further behind than this (entries) when it asks to be caught up is logged at INFO. */
  static final long REPAIR_LOG_ENTRIES = 64;

  /** The append was definitely not written ({@link Message.Reason} says why). */
  public static final class AppendRejectedException extends RuntimeException {
    private final Message.Reason reason;

    public AppendRejectedException(Message.Reason reason) {
      super("append rejected: " + reason);
      this.reason = reason;
    }

    public Message.Reason reason() {
      return reason;
    }
  }

  /** The append may or may not be committed: the writer lost ownership or timed out first. */
  public static final class AppendUncertainException extends RuntimeException {
    public AppendUncertainException() {
      super("append outcome unknown: the writer closed before it was committed");
    }
  }

  /** The writer closed before it could serve; {@link #reason()} says why. */
  public static final class WriterClosedException extends RuntimeException {
    private final Writer.CloseReason reason;

    public WriterClosedException(Writer.CloseReason reason) {
      super("writer closed: " + reason);
      this.reason = reason;
    }

    public Writer.CloseReason reason() {
      return reason;
    }
  }

  private final ActorRef<Command> actor;
  private final CompletableFuture<OpenResult> opened;
  private final CompletableFuture<Writer.CloseReason> closed;
  private final AtomicReference<State> state;

  private WriterDriver(ActorRef<Command> actor, CompletableFuture<OpenResult> opened, CompletableFuture<Writer.CloseReason> closed,
                       AtomicReference<State> state) {
    this.actor = actor;
    this.opened = opened;
    this.closed = closed;
    this.state = state;
  }

  /**
   * Spawns the driver's actor with {@code spawn}; the writer starts opening at once. {@code reason}
   * says why this node opens the stream (logged with the fence); {@code metrics} hears about it.
   */
  static WriterDriver start(String stream, String reason, ReplicationSettings settings, Transport transport,
                            ActorRef<ReplicaNode.Command> localReplica, ReplicationMetrics metrics,
                            java.util.function.Function<Behavior<Command>, ActorRef<Command>> spawn) {
    CompletableFuture<OpenResult> opened = new CompletableFuture<>();
    CompletableFuture<Writer.CloseReason> closed = new CompletableFuture<>();
    AtomicReference<State> state = new AtomicReference<>();
    // Registered before the actor runs, so its PostStop always finds (and removes) this entry.
    metrics.opening(stream, state);
    Behavior<Command> behavior = Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      localReplica.tell(new ReplicaNode.ReadPromise(stream, ctx.getSelf()));
      return new Driver(ctx, timers, stream, reason, settings, transport, opened, closed, state, metrics);
    }));
    return new WriterDriver(spawn.apply(behavior), opened, closed, state);
  }

  /** The writer's state after the last message it handled; null until its first step. */
  public State state() {
    return state.get();
  }

  /** Completes once the writer serves (fenced, recovered, re-stamped); fails with {@link WriterClosedException}. */
  public CompletionStage<OpenResult> opened() {
    return opened;
  }

  /** Completes when the writer closes, with the reason (FENCED, TIMEOUT, STOPPED, ...). */
  public CompletionStage<Writer.CloseReason> closed() {
    return closed;
  }

  /**
   * Appends one entry; completes with its offset (1-based seq) once it is on an ack quorum. Fails with
   * {@link AppendRejectedException} or {@link AppendUncertainException}. Appends issued before
   * {@link #opened()} completes wait for it (or are rejected if the open fails).
   */
  public CompletionStage<Long> append(byte[] payload) {
    CompletableFuture<Long> result = new CompletableFuture<>();
    if (closed.isDone()) {
      result.completeExceptionally(new AppendRejectedException(Message.Reason.NOT_OWNER));
    } else {
      actor.tell(new Append(payload.clone(), result));
    }
    return result;
  }

  /** Hands ownership off: pending appends fail as uncertain, the actor stops. */
  public void stop() {
    actor.tell(Stop.INSTANCE);
  }

  /** The driver's actor (tests, and a plugin that wants to watch it). */
  public ActorRef<Command> ref() {
    return actor;
  }

  /** The actor. Not thread-safe itself; it owns the {@link Writer}. */
  private static final class Driver extends AbstractBehavior<Command> {
    private static final Address CLIENT = Address.client(0); // requestIds tell the callers apart

    private final TimerScheduler<Command> timers;
    private final String stream;
    private final String reason;
    private final ReplicationSettings settings;
    private final Transport transport;
    private final CompletableFuture<OpenResult> opened;
    private final CompletableFuture<Writer.CloseReason> closed;
    private final AtomicReference<State> published;
    private final ReplicationMetrics metrics;
    private final Logger log;
    private final Random jitter = new Random();
    private final Map<Long, CompletableFuture<Long>> waiting = new HashMap<>();
    private final List<Append> early = new ArrayList<>();
    private Writer writer;
    private long requestIds;

    // What the driver observes of the protocol, for the State it publishes and for its log lines.
    private final long startedNanos = System.nanoTime();
    private long localPromise;
    /** The commit point recovered by the open (its promises' highest lac); 0 until it serves. */
    private long openedCommitted;
    private long epochSeen = Epoch.NONE;
    private int fenceRounds;
    private final long[] acked = new long[Quorum.REPLICAS];
    /** Promises of the current epoch (what recovery will choose from), by replica; null if none yet. */
    private final Message.Promise[] promises = new Message.Promise[Quorum.REPLICAS];
    /** Why the last fence round was refused (logged with the retry), or null. */
    private String lastRefusal;
    /** The replica that fenced this writer, and what it promised: logged with the close. */
    private Message.Fenced fencedBy;
    /**
     * Per replica: since when (nanos) it has been {@link #REPAIR_LOG_ENTRIES} or more entries behind
     * the writer (it asked to be caught up with a Gap, or a heartbeat found it behind), else -1; the
     * entry its catch-up started from; whether that catch-up was logged.
     */
    private final long[] repairingSince = {-1, -1, -1};
    private final long[] repairFrom = new long[Quorum.REPLICAS];
    private final boolean[] repairLogged = new boolean[Quorum.REPLICAS];

    Driver(ActorContext<Command> ctx, TimerScheduler<Command> timers, String stream, String reason, ReplicationSettings settings,
           Transport transport, CompletableFuture<OpenResult> opened, CompletableFuture<Writer.CloseReason> closed,
           AtomicReference<State> published, ReplicationMetrics metrics) {
      super(ctx);
      this.timers = timers;
      this.stream = stream;
      this.reason = reason;
      this.settings = settings;
      this.transport = transport;
      this.opened = opened;
      this.closed = closed;
      this.published = published;
      this.metrics = metrics;
      this.log = ctx.getLog();
    }

    @Override
    public Receive<Command> createReceive() {
      return newReceiveBuilder()
          .onMessage(LocalPromise.class, this::onLocalPromise)
          .onMessage(ToWriterItem.class, this::onReply)
          .onMessage(Append.class, this::onAppend)
          .onMessage(TimerFired.class, t -> {
            if (writer == null) return this;
            if (t.timer() instanceof Writer.Timer.Heartbeat) noteLaggards();
            apply(writer.onTimer(t.timer()));
            return this;
          })
          .onMessageEquals(Stop.INSTANCE, this::onStop)
          .onSignal(PostStop.class, s -> onPostStop())
          .build();
    }

    private Behavior<Command> onLocalPromise(LocalPromise p) {
      if (writer != null) return this;
      // The local replica's promise is only a floor to fence above; a majority decides.
      localPromise = p.promised();
      writer = Writer.create(stream, transport.self(), p.promised(), settings.writer(), Bugs.NONE);
      apply(writer.start());
      return this;
    }

    private boolean opening() {
      Writer.Phase phase = writer.phase();
      return phase == Writer.Phase.FENCING || phase == Writer.Phase.READING || phase == Writer.Phase.RESTAMPING;
    }

    private Behavior<Command> onReply(ToWriterItem item) {
      if (writer == null) return this;
      observe(item.message());
      apply(writer.handle(item.from(), item.message()));
      return this;
    }

    private Behavior<Command> onAppend(Append a) {
      // The writer rejects appends until it serves; the caller was promised they wait for the open.
      if (writer == null || opening()) {
        early.add(a);
        return this;
      }
      long id = ++requestIds;
      waiting.put(id, a.result());
      apply(writer.handle(CLIENT, new Message.ClientAppend(id, new Payload(a.payload()), null)));
      return this;
    }

    private Behavior<Command> onStop() {
      if (writer != null) apply(writer.stop());
      return Behaviors.stopped();
    }

    private Behavior<Command> onPostStop() {
      for (CompletableFuture<Long> f : waiting.values()) f.completeExceptionally(new AppendUncertainException());
      for (Append a : early) a.result().completeExceptionally(new AppendRejectedException(Message.Reason.NOT_OWNER));
      opened.completeExceptionally(new WriterClosedException(Writer.CloseReason.STOPPED));
      Writer.CloseReason why = writer != null && writer.closeReason() != null ? writer.closeReason() : Writer.CloseReason.STOPPED;
      if (!closed.isDone()) {
        // Stopped without closing first (hand-off before the writer started, or stopped while serving).
        metrics.closed(why);
        if (writer == null || writer.phase() != Writer.Phase.SERVING) metrics.openFailed();
        log.debug("writer of {} stopped ({})", stream, why);
      }
      closed.complete(why);
      metrics.stopped(stream, published);
      return this;
    }

    /** Carries the writer's effects out, in order. */
    private void apply(List<Effect> effects) {
      for (Effect e : effects) {
        if (e instanceof Effect.Send s) {
          if (s.to().kind() == Address.Kind.CLIENT && s.message() instanceof AppendReply r) {
            answer(r);
          } else if (s.to().kind() == Address.Kind.REPLICA && s.message() instanceof Message.ToReplica m) {
            transport.toReplica(s.to().id(), new ToReplicaItem(Address.writer(transport.self()), getContext().getSelf(), m));
          } else {
            getContext().getLog().warn("writer of {} sent {} to {}: no route", stream, s.message(), s.to());
          }
        } else if (e instanceof Effect.SetTimer t) {
          long delay = t.delayMillis();
          // Two would-be owners backing off by the same amount would collide again: jitter breaks the tie.
          if (t.timer() instanceof Writer.Timer.FenceRetry) delay += jitter.nextInt((int) Math.min(Integer.MAX_VALUE - 1, delay) + 1);
          timers.startSingleTimer(t.timer(), new TimerFired(t.timer()), Duration.ofMillis(delay));
        } else if (e instanceof Effect.Committed c) {
          // The Appended replies in this list carry the news to each caller; the owner's own replica
          // hears the new lac at once, because the journal acknowledges a write only once this node
          // has materialized it (docs/replication-wiring.md). Otherwise it would learn it from the
          // next append or heartbeat: up to a heartbeat of latency on every lone write.
          transport.toReplica(transport.self(), new ToReplicaItem(Address.writer(transport.self()), getContext().getSelf(),
              new Message.Commit(stream, writer.epoch(), c.upToSeq())));
        }
      }
      if (writer.epoch() != epochSeen) onFenceRound();
      if (writer.phase() == Writer.Phase.SERVING && !opened.isDone()) {
        onServing();
        opened.complete(new OpenResult(writer.epoch(), writer.tailSeq(), writer.lac()));
      } else if (writer.phase() == Writer.Phase.CLOSED && !closed.isDone()) {
        onClosed();
        opened.completeExceptionally(new WriterClosedException(writer.closeReason()));
        closed.complete(writer.closeReason());
      }
      publish();
      if (!early.isEmpty() && !opening()) {
        List<Append> waited = List.copyOf(early);
        early.clear();
        for (Append a : waited) onAppend(a); // served, or rejected NOT_OWNER by a closed writer
      }
    }

    private void answer(AppendReply r) {
      CompletableFuture<Long> f = waiting.remove(r.requestId());
      if (f == null) return;
      if (r instanceof Message.Appended a) f.complete(a.offset());
      else if (r instanceof Message.Duplicate d && d.offset() > 0) f.complete(d.offset());
      else if (r instanceof Message.Rejected j) f.completeExceptionally(new AppendRejectedException(j.reason()));
      else f.completeExceptionally(new AppendUncertainException());
    }

    // ---------------------------------------------------------------- observation: state and logs

    private void publish() {
      published.set(new State(stream, writer.phase(), writer.epoch(), writer.tailSeq(), writer.lac(), acked, openedCommitted,
          writer.closeReason()));
    }

    /**
     * What a replica's answer says, noted before the writer acts on it (which publishes the state):
     * acknowledged entries per replica (an Ack moves them up, a Gap down to the replica's commit
     * point), promises and refusals (for the open's log lines), who fenced this writer.
     */
    private void observe(Message.ToWriter m) {
      if (m instanceof Message.Ack a && a.epoch() == writer.epoch()) {
        int r = a.replica();
        long before = acked[r];
        acked[r] = Math.max(acked[r], Math.min(a.lastSeq(), writer.tailSeq()));
        if (repairingSince[r] >= 0) onLaggardAck(r, before);
      } else if (m instanceof Message.Promise p && p.epoch() == writer.epoch()) {
        promises[p.replica()] = p;
        // Its log up to its commit point is the committed log: held, whatever it acks later.
        acked[p.replica()] = Math.max(acked[p.replica()], p.lac());
      } else if (m instanceof Message.Reject r && r.epoch() == writer.epoch()) {
        lastRefusal = "replica " + r.replica() + " had promised " + Epoch.show(r.promised());
      } else if (m instanceof Message.Unknown u && u.epoch() == writer.epoch()) {
        lastRefusal = "replica " + u.replica() + " is in limbo";
      } else if (m instanceof Message.Fenced f && f.epoch() == writer.epoch()) {
        fencedBy = f;
      } else if (m instanceof Message.Gap g && g.epoch() == writer.epoch() && writer.phase() == Writer.Phase.SERVING) {
        int r = g.replica();
        acked[r] = Math.min(acked[r], g.lac());
        if (repairingSince[r] < 0) {
          repairingSince[r] = System.nanoTime();
          repairFrom[r] = g.lac();
          long behind = writer.tailSeq() - g.tailSeq();
          repairLogged[r] = behind >= REPAIR_LOG_ENTRIES;
          if (repairLogged[r]) {
            log.info("Replica {} of stream {} is behind (its tail {}, committed {}; writer tail {} at epoch {}): catching it up"
                + " from entry {}", r, stream, g.tailSeq(), g.lac(), writer.tailSeq(), Epoch.show(writer.epoch()), g.lac());
          }
        }
      }
    }

    /**
     * On each heartbeat: note the replicas {@link #REPAIR_LOG_ENTRIES} or more entries behind the
     * writer's tail (down, slow, or back from a restart), so their catch-up can be logged. Nothing is
     * logged while a replica stays silent (the lag metric shows it).
     */
    private void noteLaggards() {
      if (writer.phase() != Writer.Phase.SERVING) return;
      for (int r = 0; r < Quorum.REPLICAS; r++) {
        if (repairingSince[r] < 0 && writer.tailSeq() - acked[r] >= REPAIR_LOG_ENTRIES) {
          repairingSince[r] = System.nanoTime();
          repairFrom[r] = acked[r];
          repairLogged[r] = false;
        }
      }
    }

    /**
     * A replica noted behind acknowledged up to {@code acked[r]} (from {@code before}). Logged: a
     * catch-up under way (it moved but is not at the tail), and its end, when the replica was behind
     * for a second or more or its catch-up was logged: a replica that was merely a heartbeat slow
     * stays quiet.
     */
    private void onLaggardAck(int r, long before) {
      long tail = writer.tailSeq();
      long behindMillis = (System.nanoTime() - repairingSince[r]) / 1_000_000;
      if (acked[r] >= tail) {
        if (repairLogged[r] || behindMillis >= 1_000) {
          log.info("Replica {} of stream {} caught up to entry {} at epoch {} ({} entries behind this writer for {} ms)", r, stream,
              acked[r], Epoch.show(writer.epoch()), tail - repairFrom[r], behindMillis);
        }
        repairingSince[r] = -1;
      } else if (acked[r] > before && !repairLogged[r] && behindMillis >= 1_000) {
        repairLogged[r] = true;
        log.info("Replica {} of stream {} is being caught up from entry {}: {} entries behind the writer (tail {} at epoch {})",
            r, stream, before, tail - before, tail, Epoch.show(writer.epoch()));
      }
    }

    private void onFenceRound() {
      long previous = epochSeen;
      epochSeen = writer.epoch();
      java.util.Arrays.fill(acked, 0);
      java.util.Arrays.fill(promises, null);
      java.util.Arrays.fill(repairingSince, -1);
      fenceRounds++;
      metrics.fenceRound();
      if (previous == Epoch.NONE) {
        log.info("Opening stream {} as its owner on node {} ({}): fencing epoch {} (this node's replica had promised {})",
            stream, transport.self(), reason, Epoch.show(writer.epoch()), Epoch.show(localPromise));
      } else {
        log.info("Fence of stream {} at epoch {} refused ({}): retrying at epoch {}", stream, Epoch.show(previous),
            lastRefusal == null ? "no quorum of promises in time" : lastRefusal, Epoch.show(writer.epoch()));
      }
      lastRefusal = null;
    }

    private void onServing() {
      metrics.opened();
      long committed = 0;
      Message.Promise best = null;
      int heard = 0;
      for (Message.Promise p : promises) {
        if (p == null) continue;
        heard++;
        committed = Math.max(committed, p.lac());
        if (best == null || p.tailEpoch() > best.tailEpoch() || (p.tailEpoch() == best.tailEpoch() && p.tailSeq() > best.tailSeq())) best = p;
      }
      openedCommitted = committed;
      long previousEpoch = best == null ? Epoch.NONE : best.tailEpoch();
      long recoveredTail = best == null ? writer.tailSeq() : best.tailSeq();
      log.info("Stream {} open at epoch {} (previous writer {}) after {} ms and {} fence round(s): {} promises, committed entry {},"
              + " recovered tail {}{}; re-stamped {} entries", stream, Epoch.show(writer.epoch()), Epoch.show(previousEpoch),
          (System.nanoTime() - startedNanos) / 1_000_000, fenceRounds, heard, committed, recoveredTail,
          best == null ? "" : " from replica " + best.replica(), Math.max(0, recoveredTail - committed));
    }

    private void onClosed() {
      Writer.CloseReason why = writer.closeReason();
      metrics.closed(why);
      boolean wasOpen = opened.isDone() && !opened.isCompletedExceptionally();
      if (!wasOpen) metrics.openFailed();
      String epoch = Epoch.show(writer.epoch());
      switch (why) {
        case FENCED -> log.info("Writer of stream {} at epoch {} was fenced: replica {} promised epoch {} to a newer owner;"
                + " its pending appends have an unknown outcome (the new owner's recovery decides)", stream, epoch,
            fencedBy == null ? "?" : fencedBy.replica(), fencedBy == null ? "?" : Epoch.show(fencedBy.promised()));
        case TIMEOUT -> log.warn("Writer of stream {} at epoch {} closed: no quorum answered within {} (is a majority of the"
                + " replica set reachable?); {}; {}", stream, epoch, wasOpen ? "append-timeout" : "open-timeout",
            wasOpen ? "entries acknowledged per replica " + java.util.Arrays.toString(acked) + ", tail " + writer.tailSeq()
                : "promises " + heardPromises(),
            wasOpen ? "pending appends have an unknown outcome" : "the open failed");
        case REJECTED -> log.warn("Writer of stream {} closed: every fence attempt was refused (last {}: {})", stream, epoch,
            lastRefusal == null ? "no quorum of promises" : lastRefusal);
        case UNAVAILABLE -> log.warn("Writer of stream {} at epoch {} closed: the replica recovery chose could not serve its"
            + " log (in limbo, or it promised a newer epoch meanwhile)", stream, epoch);
        case INCONSISTENT -> log.error("Writer of stream {} at epoch {} closed: the best log of a promise quorum lacks committed"
            + " entries (promises {}); refusing to adopt it", stream, epoch, heardPromises());
        case STOPPED -> log.debug("Writer of stream {} at epoch {} stopped (handed off)", stream, epoch);
      }
    }

    private String heardPromises() {
      StringBuilder sb = new StringBuilder("[");
      for (Message.Promise p : promises) {
        if (p == null) continue;
        if (sb.length() > 1) sb.append(", ");
        sb.append("replica ").append(p.replica()).append(": tail ").append(p.tailSeq()).append('@').append(Epoch.show(p.tailEpoch()))
            .append(" committed ").append(p.lac());
      }
      return sb.append(']').toString();
    }
  }
}
