package dev.sluice.replication.node;

import dev.sluice.replication.Address;
import dev.sluice.replication.Bugs;
import dev.sluice.replication.Effect;
import dev.sluice.replication.Message;
import dev.sluice.replication.Message.AppendReply;
import dev.sluice.replication.Payload;
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
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

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

  private WriterDriver(ActorRef<Command> actor, CompletableFuture<OpenResult> opened, CompletableFuture<Writer.CloseReason> closed) {
    this.actor = actor;
    this.opened = opened;
    this.closed = closed;
  }

  /** Spawns the driver's actor with {@code spawn}; the writer starts opening at once. */
  static WriterDriver start(String stream, ReplicationSettings settings, Transport transport, ActorRef<ReplicaNode.Command> localReplica,
                            java.util.function.Function<Behavior<Command>, ActorRef<Command>> spawn) {
    CompletableFuture<OpenResult> opened = new CompletableFuture<>();
    CompletableFuture<Writer.CloseReason> closed = new CompletableFuture<>();
    Behavior<Command> behavior = Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      localReplica.tell(new ReplicaNode.ReadPromise(stream, ctx.getSelf()));
      return new Driver(ctx, timers, stream, settings, transport, opened, closed);
    }));
    return new WriterDriver(spawn.apply(behavior), opened, closed);
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
    private final ReplicationSettings settings;
    private final Transport transport;
    private final CompletableFuture<OpenResult> opened;
    private final CompletableFuture<Writer.CloseReason> closed;
    private final Random jitter = new Random();
    private final Map<Long, CompletableFuture<Long>> waiting = new HashMap<>();
    private final List<Append> early = new ArrayList<>();
    private Writer writer;
    private long requestIds;

    Driver(ActorContext<Command> ctx, TimerScheduler<Command> timers, String stream, ReplicationSettings settings, Transport transport,
           CompletableFuture<OpenResult> opened, CompletableFuture<Writer.CloseReason> closed) {
      super(ctx);
      this.timers = timers;
      this.stream = stream;
      this.settings = settings;
      this.transport = transport;
      this.opened = opened;
      this.closed = closed;
    }

    @Override
    public Receive<Command> createReceive() {
      return newReceiveBuilder()
          .onMessage(LocalPromise.class, this::onLocalPromise)
          .onMessage(ToWriterItem.class, this::onReply)
          .onMessage(Append.class, this::onAppend)
          .onMessage(TimerFired.class, t -> {
            if (writer != null) apply(writer.onTimer(t.timer()));
            return this;
          })
          .onMessageEquals(Stop.INSTANCE, this::onStop)
          .onSignal(PostStop.class, s -> onPostStop())
          .build();
    }

    private Behavior<Command> onLocalPromise(LocalPromise p) {
      if (writer != null) return this;
      // The local replica's promise is only a floor to fence above; a majority decides.
      writer = Writer.create(stream, transport.self(), p.promised(), settings.writer(), Bugs.NONE);
      apply(writer.start());
      return this;
    }

    private boolean opening() {
      Writer.Phase phase = writer.phase();
      return phase == Writer.Phase.FENCING || phase == Writer.Phase.READING || phase == Writer.Phase.RESTAMPING;
    }

    private Behavior<Command> onReply(ToWriterItem item) {
      if (writer != null) apply(writer.handle(item.from(), item.message()));
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
      closed.complete(writer != null && writer.closeReason() != null ? writer.closeReason() : Writer.CloseReason.STOPPED);
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
      if (writer.phase() == Writer.Phase.SERVING && !opened.isDone()) {
        opened.complete(new OpenResult(writer.epoch(), writer.tailSeq(), writer.lac()));
      } else if (writer.phase() == Writer.Phase.CLOSED && !closed.isDone()) {
        opened.completeExceptionally(new WriterClosedException(writer.closeReason()));
        closed.complete(writer.closeReason());
      }
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
  }
}
