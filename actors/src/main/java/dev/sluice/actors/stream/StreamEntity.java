package dev.sluice.actors.stream;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.sluice.core.rules.StreamView;
import dev.sluice.actors.tail.TailHub;
import dev.sluice.actors.tail.TailRelay;
import dev.sluice.core.Bytes;
import dev.sluice.core.CborSerializable;
import dev.sluice.core.error.Rejection;
import dev.sluice.core.model.StreamEvent;
import dev.sluice.core.model.StreamState;
import dev.sluice.core.model.StreamStatus;
import dev.sluice.core.rules.Commands;
import dev.sluice.core.rules.Decision;
import dev.sluice.core.rules.EntityRules;
import dev.sluice.core.rules.Payload;
import dev.sluice.core.rules.StreamRules;
import dev.sluice.core.spi.DataUnit;
import dev.sluice.core.spi.StreamDataStore;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.PreRestart;
import org.apache.pekko.actor.typed.Signal;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;
import scala.Function1;
import scala.Tuple2;
import scala.runtime.AbstractPartialFunction;
import scala.runtime.BoxedUnit;

/**
 * The single sequencer of one stream path: a sharded event-sourced actor (docs/design.md "Write
 * path"). It is a thin shell: every decision is {@link StreamRules} or {@link EntityRules}; this
 * class persists the events, replies, and wakes live readers.
 *
 * <p><b>Group commit per stream.</b> Typed persistence keeps one write in flight and stashes
 * commands meanwhile. Appends are not persisted one by one: each goes into the
 * {@link AppendBatcher} and a {@link Flush} is sent to self. Appends stashed during a write are unstashed ahead of that Flush,
 * so everything that arrived during one fsync is decided in order and persisted as one
 * {@code persist(List)}. Replies are therefore deferred, which is why this is a plain
 * {@link EventSourcedBehavior} rather than the enforced-replies variant.
 *
 * <p><b>Cross-stream work</b> ({@link CrossStream}: fork acquisition, delete with forks) asks other entities; while it
 * runs, the entity is {@code busy} and stashes further mutating commands. Queries that other
 * entities may send while waiting on us ({@link ConfirmForkOf}) are always answered at once,
 * so two entities can never wait on each other.
 *
 * <p>Not thread-safe; confined to the actor. Time comes from the injected {@link InstantSource}.
 */
public final class StreamEntity extends EventSourcedBehavior<StreamEntity.Command, StreamEvent, StreamState> {

  public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "stream");

  // ------------------------------------------------------------------ protocol

  public sealed interface Command extends CborSerializable
      permits Create, Append, BodyPart, PartedCreate, PartedAppend, GetView, Delete, AcquireFork, ReleaseFork, ConfirmForkOf, Flush,
          Passivate, CrossStream.ForkPrepared, CrossStream.ForksConfirmed {}

  /**
   * An entity's answer: {@link Ok} with the value, {@link Rejected} for a protocol rejection (4xx),
   * or {@link Failed} when the operation failed for an infrastructure reason and its outcome is
   * unknown (503: retry; idempotent producers make the retry safe).
   */
  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME)
  @JsonSubTypes({
      @JsonSubTypes.Type(value = Reply.Ok.class, name = "ok"),
      @JsonSubTypes.Type(value = Reply.Rejected.class, name = "rejected"),
      @JsonSubTypes.Type(value = Reply.Failed.class, name = "failed")})
  public sealed interface Reply<T> extends CborSerializable {
    record Ok<T>(@JsonTypeInfo(use = JsonTypeInfo.Id.CLASS) T value) implements Reply<T> {}

    record Rejected<T>(Rejection rejection) implements Reply<T> {}

    record Failed<T>(String reason) implements Reply<T> {}

    static <T> Reply<T> ok(T v) {
      return new Ok<>(v);
    }

    static <T> Reply<T> rejected(Rejection r) {
      return new Rejected<>(r);
    }

    static <T> Reply<T> failed(String reason) {
      return new Failed<>(reason);
    }
  }

  public record Create(Commands.Create cmd, ActorRef<Reply<Commands.CreateResult>> replyTo) implements Command {}

  public record Append(Commands.Append cmd, ActorRef<Reply<Commands.AppendResult>> replyTo) implements Command {}

  /**
   * Part {@code index} (from 0) of a body too large for one message (docs/design.md "Large bodies"):
   * told, in order, before the {@link PartedCreate} or {@link PartedAppend} that refers to it.
   */
  public record BodyPart(String uploadId, int index, BodySlice part) implements Command {}

  /** A body sent in parts: {@code parts} parts of upload {@code id}, {@code length} bytes in all. */
  public record Upload(String id, int parts, int length) implements CborSerializable {}

  /** A {@link Create} whose body ({@code cmd.body()} is empty) was sent as {@code upload}. */
  public record PartedCreate(Commands.Create cmd, Upload upload, ActorRef<Reply<Commands.CreateResult>> replyTo)
      implements Command {}

  /** An {@link Append} whose payload unit ({@code cmd.payload().unit()} is empty) was sent as {@code upload}. */
  public record PartedAppend(Commands.Append cmd, Upload upload, ActorRef<Reply<Commands.AppendResult>> replyTo)
      implements Command {}

  /**
   * Metadata for a read; {@code touch} refreshes a sliding TTL (GET does, HEAD does not: checklist
   * §14). A live reader on another node passes its node's {@code watcher} and how long it will wait
   * ({@code watchMillis}): changes until then are relayed to that node ({@link Watchers}).
   */
  public record GetView(boolean touch, ActorRef<Reply<StreamView>> replyTo,
                        ActorRef<TailRelay.Command> watcher, long watchMillis) implements Command {
    public GetView(boolean touch, ActorRef<Reply<StreamView>> replyTo) {
      this(touch, replyTo, null, 0);
    }
  }

  public record Delete(ActorRef<Reply<Boolean>> replyTo) implements Command {}

  /** Sent by a new fork to its source. */
  public record AcquireFork(
      String childPath, Commands.ForkRequest fork, String requestedContentType, ActorRef<Reply<Commands.ForkGrant>> replyTo)
      implements Command {}

  /** Sent by a fork that is purged (deleted or expired) or whose creation failed. */
  public record ReleaseFork(String childPath) implements Command {}

  /** Sent by a source being deleted: does this fork still pin the source's data? */
  public record ConfirmForkOf(String sourcePath, ActorRef<Boolean> replyTo) implements Command {}

  enum Flush implements Command { INSTANCE }

  /**
   * Cluster Sharding's stop message for this entity (passivation: idle, or past the active-entity
   * limit). With a stop message of its own an entity is spawned without sharding's PoisonPill
   * interceptor (one behaviour interceptor fewer on every message, and ~100 bytes fewer per live
   * entity: README "Sizing the heap"); it also lets the entity finish its batch first.
   */
  public enum Passivate implements Command { INSTANCE }

  // ------------------------------------------------------------------ wiring

  /** What every stream entity of a node shares. */
  public record Deps(
      ClusterSharding sharding, TailHub hub, StreamDataStore store, Executor blockingIo, InstantSource clock,
      Duration askTimeout, int snapshotEvery) {}

  public static Behavior<Command> create(String path, Deps deps) {
    return Behaviors.setup(ctx -> new StreamEntity(ctx, path, deps));
  }

  public static PersistenceId persistenceId(String path) {
    return PersistenceId.of("stream", path, "|");
  }

  private static final SecureRandom IDS = new SecureRandom();

  private final ActorContext<Command> ctx;
  private final String path;
  private final Deps deps;
  private final AppendBatcher batcher = new AppendBatcher();
  /**
   * Parts of large bodies whose command has not arrived yet; null until the first part. This and
   * {@link #watchers} are created on first use: most streams never need them, and every byte of
   * an entity counts 100,000 times on a node (README "Sizing the heap").
   */
  private BodyUploads uploads;
  /** Other nodes with live readers of this stream; null until the first one. */
  private Watchers watchers;
  /** The appends of the write in flight, until it is durable (answered by {@link #failInFlight} if it fails). */
  private List<Append> inFlight = List.of();
  /** A cross-stream operation (fork acquisition, delete's fork check) is in flight. */
  private boolean busy;
  /** Last read that reached us; in memory only. After a restart it starts at "now" (never expires early). */
  private long lastAccessMillis;

  private StreamEntity(ActorContext<Command> ctx, String path, Deps deps) {
    // On a failed journal write the outcome is unknown, so the entity must not go on from its
    // in-memory state. Pekko's default is kept: the entity STOPS (answering the writers of the
    // failed write, failInFlight) and Cluster Sharding starts it again, recovering from the
    // journal, on the next command. Not restartWithBackoff: measured with Pekko 1.7
    // (PersistFailureTest), an event-sourced entity restarted by the backoff supervisor stopped
    // processing commands altogether when one arrived during the backoff window.
    super(persistenceId(path));
    this.ctx = ctx;
    this.path = path;
    this.deps = deps;
    this.lastAccessMillis = deps.clock().millis();
  }

  @Override
  public StreamState emptyState() {
    return StreamState.EMPTY;
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RETENTION.computeIfAbsent(deps.snapshotEvery(), n -> RetentionCriteria.snapshotEvery(n, 2));
  }

  /** Immutable, so one per setting instead of one per live entity (README "Sizing the heap"). */
  private static final java.util.concurrent.ConcurrentHashMap<Integer, RetentionCriteria> RETENTION =
      new java.util.concurrent.ConcurrentHashMap<>();

  @Override
  public EventHandler<StreamState, StreamEvent> eventHandler() {
    return StreamState::apply;
  }

  /**
   * After recovery, tell the node's live readers where the tail is. A write whose outcome was
   * unknown (the entity stopped) may have been stored without being published; readers that wait
   * on the hub's last known tail must not keep waiting below data that exists.
   */
  @Override
  public SignalHandler<StreamState> signalHandler() {
    return new SignalHandler<>(new Signals());
  }

  /**
   * The entity's signal handler as ONE object: the handler builder keeps about a dozen per entity
   * (a case, a lambda and a list cell per signal, and the partial functions chaining them).
   */
  private final class Signals extends AbstractPartialFunction<Tuple2<StreamState, Signal>, BoxedUnit> {
    @Override
    public boolean isDefinedAt(Tuple2<StreamState, Signal> x) {
      Signal signal = x._2();
      return signal == RecoveryCompleted.instance() || signal == PreRestart.instance() || signal == PostStop.instance();
    }

    @Override
    @SuppressWarnings("unchecked")
    public <A1 extends Tuple2<StreamState, Signal>, B1> B1 applyOrElse(A1 x, Function1<A1, B1> fallback) {
      Signal signal = x._2();
      if (signal == RecoveryCompleted.instance()) {
        StreamState s = x._1();
        if (s.status() != StreamStatus.NONE) publish(s, List.of());
      } else if (signal == PreRestart.instance() || signal == PostStop.instance()) {
        failInFlight();
      } else {
        return fallback.apply(x);
      }
      return (B1) BoxedUnit.UNIT;
    }
  }

  /**
   * A journal write failed (or the entity stops with work in flight): this instance survives the
   * restart (only the event-sourced part restarts), so its in-memory work must be settled here.
   * Writers of the failed batch, and those queued behind it, get "unknown outcome, retry" now
   * instead of their ask timing out; the recovered state decides what their retries see.
   */
  private void failInFlight() {
    List<Append> unanswered = new ArrayList<>(inFlight);
    inFlight = List.of();
    unanswered.addAll(batcher.drain());
    batcher.flushArrived();
    busy = false;
    for (Append a : unanswered) {
      a.replyTo().tell(Reply.failed("the write of stream " + path + " failed; it restarts from its journal"));
    }
  }

  /**
   * One plain function rather than the handler builder: the builder keeps ~20 objects per entity
   * (cases, lambdas, lists), and a node holds up to 100,000 entities (bench: streams scenario).
   */
  @Override
  public CommandHandler<Command, StreamEvent, StreamState> commandHandler() {
    return this::handle;
  }

  private Effect<StreamEvent, StreamState> handle(StreamState s, Command cmd) {
    // Java 17: no pattern switch; the order puts the hot path (reads, appends) first.
    if (uploads != null) {
      uploads.expire(now());
      if (uploads.isEmpty()) uploads = null;
    }
    if (cmd instanceof GetView c) return onGetView(s, c);
    if (cmd instanceof Append c) return onAppend(c);
    if (cmd instanceof BodyPart c) return onBodyPart(c);
    if (cmd instanceof PartedAppend c) return onPartedAppend(c);
    if (cmd instanceof Flush) return onFlush(s);
    if (cmd instanceof ConfirmForkOf c) return onConfirmForkOf(s, c);
    if (cmd == Passivate.INSTANCE) return onPassivate();
    if (cmd instanceof CrossStream.ForkPrepared c) return onForkPrepared(s, c);
    if (cmd instanceof CrossStream.ForksConfirmed c) return onForksConfirmed(s, c);
    return onMutation(s, cmd); // Create, PartedCreate, Delete, AcquireFork, ReleaseFork
  }

  private long now() {
    return deps.clock().millis();
  }

  /** A write or a cross-stream operation is under way: state changes must wait for it. */
  private boolean writeInFlight() {
    return busy || !batcher.isEmpty();
  }

  // ------------------------------------------------------------------ handlers

  /** Expiry is applied lazily on access: persist it first, then handle the command afresh. */
  private Effect<StreamEvent, StreamState> expireThenRetry(StreamState s, Command cmd) {
    var events = StreamRules.expire(s, now());
    return Effect().persist(events).thenRun(after -> {
      afterPersist(s, after, events);
      ctx.getSelf().tell(cmd);
    });
  }

  private Effect<StreamEvent, StreamState> onGetView(StreamState s, GetView cmd) {
    var check = EntityRules.checkView(s, lastAccessMillis, now(), writeInFlight());
    if (check instanceof EntityRules.ViewCheck.ExpireFirst) return expireThenRetry(s, cmd);
    if (check instanceof EntityRules.ViewCheck.Reject r) return Effect().reply(cmd.replyTo(), Reply.rejected(r.rejection()));
    if (cmd.touch()) lastAccessMillis = now();
    if (cmd.watcher() != null && !cmd.watcher().path().address().hasLocalScope()) {
      if (watchers == null) watchers = new Watchers();
      watchers.watch(cmd.watcher(), now() + cmd.watchMillis());
    }
    return Effect().reply(cmd.replyTo(), Reply.ok(view(s)));
  }

  private Effect<StreamEvent, StreamState> onAppend(Append cmd) {
    if (batcher.add(cmd)) ctx.getSelf().tell(Flush.INSTANCE);
    return Effect().none();
  }

  private Effect<StreamEvent, StreamState> onBodyPart(BodyPart p) {
    if (uploads == null) uploads = new BodyUploads(deps.askTimeout().toMillis());
    uploads.add(p.uploadId(), p.index(), p.part(), now());
    return Effect().none();
  }

  private Effect<StreamEvent, StreamState> onPartedAppend(PartedAppend p) {
    var body = takeUpload(p.upload());
    if (body == null) return Effect().reply(p.replyTo(), Reply.failed(incomplete(p.upload())));
    var c = p.cmd();
    var payload = new Payload(body, c.payload().messages(), c.payload().error(), c.payload().rawEmpty());
    return onAppend(new Append(new Commands.Append(c.contentType(), payload, c.close(), c.streamSeq(), c.producer()), p.replyTo()));
  }

  /** The body of upload {@code u}, or null if its parts did not all arrive. */
  private Bytes takeUpload(Upload u) {
    if (uploads == null) return null;
    Bytes body = uploads.take(u);
    if (uploads.isEmpty()) uploads = null;
    return body;
  }

  private String incomplete(Upload u) {
    return "the body of a write to " + path + " arrived incomplete (" + u.parts() + " parts, " + u.length() + " bytes)";
  }

  private Effect<StreamEvent, StreamState> onFlush(StreamState s) {
    batcher.flushArrived();
    if (batcher.isEmpty()) return Effect().none();
    if (busy) return Effect().stash();
    if (StreamRules.isExpired(s, lastAccessMillis, now())) return expireThenRetry(s, Flush.INSTANCE);
    var batch = batcher.drain();
    var commands = new ArrayList<Commands.Append>(batch.size());
    for (Append a : batch) commands.add(a.cmd());
    var decided = EntityRules.appendBatch(s, commands, now());
    Runnable replies = () -> {
      for (int i = 0; i < batch.size(); i++) {
        batch.get(i).replyTo().tell(toReply(decided.decisions().get(i)));
      }
    };
    if (decided.events().isEmpty()) {
      replies.run();
      return Effect().none().thenUnstashAll();
    }
    inFlight = batch;
    return Effect().persist(decided.events()).thenRun(after -> {
      inFlight = List.of();
      // Acknowledge first: waking thousands of live readers must not delay the writers' replies.
      replies.run();
      afterPersist(s, after, decided.events());
    }).thenUnstashAll();
  }

  /**
   * Stops once nothing is under way: appends waiting for their flush, a write or a cross-stream
   * operation in flight would otherwise be cut off (their writers answered "failed, retry"), so
   * the stop waits in the stash and comes back when they are done. Sharding holds the stream's
   * new messages meanwhile and starts the entity again for them after it stopped.
   */
  private Effect<StreamEvent, StreamState> onPassivate() {
    return writeInFlight() ? Effect().stash() : Effect().stop();
  }

  private Effect<StreamEvent, StreamState> onConfirmForkOf(StreamState s, ConfirmForkOf cmd) {
    if (!EntityRules.isLiveForkOf(s, cmd.sourcePath())) return Effect().reply(cmd.replyTo(), false);
    if (StreamRules.isExpired(s, lastAccessMillis, now()) && !writeInFlight()) {
      var events = StreamRules.expire(s, now());
      return Effect().persist(events).thenRun(after -> {
        afterPersist(s, after, events);
        cmd.replyTo().tell(after.status() != StreamStatus.NONE);
      });
    }
    return Effect().reply(cmd.replyTo(), true);
  }

  /** Commands that change state and must not interleave with a batch or a cross-stream operation. */
  private Effect<StreamEvent, StreamState> onMutation(StreamState s, Command cmd) {
    if (writeInFlight()) return Effect().stash();
    if (StreamRules.isExpired(s, lastAccessMillis, now())) return expireThenRetry(s, cmd);
    if (cmd instanceof Create c) return onCreate(s, c);
    if (cmd instanceof PartedCreate p) {
      // Taken only now: a stashed or retried PartedCreate still finds its parts.
      var body = takeUpload(p.upload());
      if (body == null) return Effect().reply(p.replyTo(), Reply.failed(incomplete(p.upload())));
      var c = p.cmd();
      return onCreate(s, new Create(
          new Commands.Create(c.contentType(), c.ttlSeconds(), c.expiresAtMillis(), c.closed(), body, c.fork()), p.replyTo()));
    }
    if (cmd instanceof Delete d) return onDelete(s, d);
    if (cmd instanceof AcquireFork a) {
      return persistDecision(s, StreamRules.acquireFork(s, a.childPath(), a.fork(), a.requestedContentType()), a.replyTo(), false);
    }
    if (cmd instanceof ReleaseFork r) return persistThen(s, StreamRules.releaseFork(s, r.childPath()), () -> {}, false);
    throw new IllegalStateException("not a mutation: " + cmd);
  }

  private Effect<StreamEvent, StreamState> onCreate(StreamState s, Create c) {
    var check = StreamRules.checkCreate(s, c.cmd());
    if (check instanceof StreamRules.CreateCheck.Done done) return persistDecision(s, done.decision(), c.replyTo(), false);
    if (c.cmd().fork() == null) {
      return persistDecision(s, StreamRules.create(s, c.cmd(), newStoreId(), null, null, now()), c.replyTo(), false);
    }
    Rejection selfFork = EntityRules.checkForkSource(path, c.cmd());
    if (selfFork != null) return Effect().reply(c.replyTo(), Reply.rejected(selfFork));
    busy = true;
    ctx.pipeToSelf(CrossStream.prepareFork(path, c.cmd(), c.replyTo(), deps),
        (ok, err) -> ok != null ? ok : new CrossStream.ForkPrepared(c.cmd(), null, null, null, err, c.replyTo()));
    return Effect().none();
  }

  private Effect<StreamEvent, StreamState> onForkPrepared(StreamState s, CrossStream.ForkPrepared p) {
    busy = false;
    var replyTo = p.replyTo();
    String source = p.cmd().fork().sourcePath();
    if (p.failure() != null || p.rejection() != null) {
      if (p.grant() != null) releaseSource(source); // compensate: the source pinned its data for us
      if (p.failure() != null) {
        ctx.getLog().warn("Fork of {} from {} failed: {}", path, source, p.failure().toString());
        return Effect().reply(replyTo, Reply.<Commands.CreateResult>failed("fork from " + source + " failed")).thenUnstashAll();
      }
      return Effect().reply(replyTo, Reply.<Commands.CreateResult>rejected(p.rejection())).thenUnstashAll();
    }
    var d = StreamRules.create(s, p.cmd(), newStoreId(), p.grant(), p.prefix(), now());
    if (d instanceof Decision.Rejected<Commands.CreateResult>) releaseSource(source);
    return persistDecision(s, d, replyTo, true);
  }

  private Effect<StreamEvent, StreamState> onDelete(StreamState s, Delete d) {
    Rejection r = StreamRules.checkDelete(s);
    if (r != null) return Effect().reply(d.replyTo(), Reply.rejected(r));
    if (s.forks().isEmpty()) return persistThen(s, StreamRules.delete(s, Set.of(), now()), () -> d.replyTo().tell(Reply.ok(true)), false);
    busy = true;
    ctx.pipeToSelf(CrossStream.liveForks(path, s.forks(), d.replyTo(), deps),
        (ok, err) -> ok != null ? ok : new CrossStream.ForksConfirmed(null, err, d.replyTo()));
    return Effect().none();
  }

  private Effect<StreamEvent, StreamState> onForksConfirmed(StreamState s, CrossStream.ForksConfirmed c) {
    busy = false;
    if (c.failure() != null) {
      ctx.getLog().warn("Delete of {}: could not confirm forks: {}", path, c.failure().toString());
      return Effect().reply(c.replyTo(), Reply.<Boolean>failed("could not confirm the forks of " + path)).thenUnstashAll();
    }
    Rejection r = StreamRules.checkDelete(s);
    if (r != null) return Effect().reply(c.replyTo(), Reply.<Boolean>rejected(r)).thenUnstashAll();
    return persistThen(s, StreamRules.delete(s, c.alive(), now()), () -> c.replyTo().tell(Reply.ok(true)), true);
  }

  // ------------------------------------------------------------------ helpers

  private static <T> Reply<T> toReply(Decision<T> d) {
    return d instanceof Decision.Accepted<T> ok ? Reply.ok(ok.reply()) : Reply.rejected(((Decision.Rejected<T>) d).rejection());
  }

  private <T> Effect<StreamEvent, StreamState> persistDecision(
      StreamState before, Decision<T> d, ActorRef<Reply<T>> replyTo, boolean unstash) {
    if (d instanceof Decision.Rejected<T> r) {
      var e = Effect().reply(replyTo, Reply.rejected(r.rejection()));
      return unstash ? e.thenUnstashAll() : e;
    }
    var ok = (Decision.Accepted<T>) d;
    return persistThen(before, ok.events(), () -> replyTo.tell(Reply.ok(ok.reply())), unstash);
  }

  private Effect<StreamEvent, StreamState> persistThen(
      StreamState before, List<StreamEvent> events, Runnable reply, boolean unstash) {
    var builder = events.isEmpty()
        ? Effect().none().thenRun(after -> reply.run())
        : Effect().persist(events).thenRun(after -> {
            reply.run();
            afterPersist(before, after, events);
          });
    return unstash ? builder.thenUnstashAll() : builder;
  }

  /**
   * Side effects of a durable change: wake live readers (handing them the units just written, so
   * live tails need not read them back from the store); a purged fork unpins its source.
   */
  private void afterPersist(StreamState before, StreamState after, List<? extends StreamEvent> events) {
    if (before.tail() != after.tail() || before.closed() != after.closed() || before.status() != after.status()
        || before.storeId() != after.storeId()) {
      publish(after, TailHub.unitsOf(events, after.storeId(), after.tail()));
    }
    if (before.status() != StreamStatus.NONE && after.status() == StreamStatus.NONE && before.fork() != null) {
      releaseSource(before.fork().sourcePath());
    }
  }

  /** Tells this node's live readers the committed state {@code s} (gone unless active). */
  private void publish(StreamState s, List<DataUnit> units) {
    var update = new TailHub.TailUpdate(s.storeId(), s.tail(), s.closed(), s.status() != StreamStatus.ACTIVE, units);
    deps.hub().publish(path, update);
    if (watchers != null) watchers.publish(path, update, now());
  }

  private void releaseSource(String sourcePath) {
    CrossStream.ref(deps, sourcePath).tell(new ReleaseFork(path));
  }

  private static long newStoreId() {
    long id;
    do {
      id = IDS.nextLong() & Long.MAX_VALUE;
    } while (id == 0);
    return id;
  }

  static StreamView view(StreamState s) {
    return new StreamView(StreamRules.info(s), s.storeId(), s.readPath());
  }
}
