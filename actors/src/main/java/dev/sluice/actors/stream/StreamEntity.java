package dev.sluice.actors.stream;

import dev.sluice.actors.api.StreamView;
import dev.sluice.actors.tail.TailHub;
import dev.sluice.core.Bytes;
import dev.sluice.core.CborSerializable;
import dev.sluice.core.error.ErrorCode;
import dev.sluice.core.error.Rejection;
import dev.sluice.core.model.StreamEvent;
import dev.sluice.core.model.StreamState;
import dev.sluice.core.model.StreamStatus;
import dev.sluice.core.protocol.ContentTypes;
import dev.sluice.core.rules.Commands;
import dev.sluice.core.rules.Decision;
import dev.sluice.core.rules.StreamRules;
import dev.sluice.core.spi.DataUnit;
import dev.sluice.core.spi.StreamDataStore;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
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

/**
 * The single sequencer of one stream path: a sharded event-sourced actor (ARCHITECTURE.md
 * "Streams are sharded event-sourced actors"). It is a thin shell: every protocol decision is
 * {@link StreamRules}; this class persists the events, replies, and wakes live readers.
 *
 * <p><b>Group commit per stream.</b> Typed persistence keeps one write in flight and stashes
 * commands meanwhile. Appends are not persisted one by one: each goes into {@code pending} and a
 * {@link Flush} is sent to self. Appends stashed during a write are unstashed ahead of that Flush,
 * so everything that arrived during one fsync is decided in order and persisted as one
 * {@code persist(List)}. Replies are therefore deferred, which is why this is a plain
 * {@link EventSourcedBehavior} rather than the enforced-replies variant.
 *
 * <p><b>Cross-stream work</b> (fork acquisition, delete with forks) asks other entities; while it
 * runs, the entity is {@code busy} and stashes further mutating commands. Queries that other
 * entities may send while waiting on us ({@link ConfirmForkOf}) are always answered at once,
 * so two entities can never wait on each other.
 *
 * <p>Not thread-safe; confined to the actor. Time comes from the injected {@link InstantSource}.
 */
public final class StreamEntity extends EventSourcedBehavior<StreamEntity.Command, StreamEvent, StreamState> {

  public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "stream");

  // ------------------------------------------------------------------ protocol

  public sealed interface Command extends CborSerializable {}

  /**
   * A reply: {@code value} on success, {@code rejection} for a protocol rejection, both null when
   * the operation failed for an infrastructure reason (unknown outcome, retry: 503).
   */
  public record Reply<T>(
      @com.fasterxml.jackson.annotation.JsonTypeInfo(use = com.fasterxml.jackson.annotation.JsonTypeInfo.Id.CLASS) T value,
      Rejection rejection)
      implements CborSerializable {
    static <T> Reply<T> ok(T v) {
      return new Reply<>(v, null);
    }

    static <T> Reply<T> rejected(Rejection r) {
      return new Reply<>(null, r);
    }
  }

  public record Create(Commands.Create cmd, ActorRef<Reply<Commands.CreateResult>> replyTo) implements Command {}

  public record Append(Commands.Append cmd, ActorRef<Reply<Commands.AppendResult>> replyTo) implements Command {}

  /** Metadata for a read; {@code touch} refreshes a sliding TTL (GET does, HEAD does not: checklist §14). */
  public record GetView(boolean touch, ActorRef<Reply<StreamView>> replyTo) implements Command {}

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

  private record ForkPrepared(
      Commands.Create cmd, Commands.ForkGrant grant, Bytes prefix, Rejection rejection, Throwable failure,
      ActorRef<Reply<Commands.CreateResult>> replyTo)
      implements Command {}

  private record ForksConfirmed(Set<String> alive, Throwable failure, ActorRef<Reply<Boolean>> replyTo) implements Command {}

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
  private final List<Append> pending = new ArrayList<>();
  private boolean flushScheduled;
  private boolean busy;
  /** Last read that reached us; in memory only. After a restart it starts at "now" (never expires early). */
  private long lastAccessMillis;

  private StreamEntity(ActorContext<Command> ctx, String path, Deps deps) {
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
    return RetentionCriteria.snapshotEvery(deps.snapshotEvery(), 2);
  }

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
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), s -> {
          if (s.status() != StreamStatus.NONE) publish(s, List.of());
        })
        .build();
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
    if (cmd instanceof ConfirmForkOf c) return onConfirmForkOf(s, c);
    if (cmd instanceof GetView c) return onGetView(s, c);
    if (cmd instanceof Append c) return onAppend(s, c);
    if (cmd instanceof Flush c) return onFlush(s, c);
    if (cmd instanceof ForkPrepared c) return onForkPrepared(s, c);
    if (cmd instanceof ForksConfirmed c) return onForksConfirmed(s, c);
    return onMutation(s, cmd);
  }

  private long now() {
    return deps.clock().millis();
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

  private boolean expired(StreamState s) {
    return StreamRules.isExpired(s, lastAccessMillis, now());
  }

  private Effect<StreamEvent, StreamState> onGetView(StreamState s, GetView cmd) {
    if (expired(s)) {
      if (busy || !pending.isEmpty()) return Effect().reply(cmd.replyTo(), Reply.rejected(Rejection.of(ErrorCode.STREAM_NOT_FOUND, "stream expired")));
      return expireThenRetry(s, cmd);
    }
    Rejection r = StreamRules.checkReadable(s);
    if (r != null) return Effect().reply(cmd.replyTo(), Reply.rejected(r));
    if (cmd.touch()) lastAccessMillis = now();
    return Effect().reply(cmd.replyTo(), Reply.ok(view(s)));
  }

  private Effect<StreamEvent, StreamState> onAppend(StreamState s, Append cmd) {
    pending.add(cmd);
    if (!flushScheduled) {
      flushScheduled = true;
      ctx.getSelf().tell(Flush.INSTANCE);
    }
    return Effect().none();
  }

  private Effect<StreamEvent, StreamState> onFlush(StreamState s, Flush f) {
    flushScheduled = false;
    if (pending.isEmpty()) return Effect().none();
    if (busy) return Effect().stash();
    if (expired(s)) return expireThenRetry(s, Flush.INSTANCE);
    var batch = List.copyOf(pending);
    pending.clear();
    long now = now();
    var events = new ArrayList<StreamEvent>(batch.size());
    var replies = new ArrayList<Runnable>(batch.size());
    StreamState st = s;
    for (Append a : batch) {
      Decision<Commands.AppendResult> d = StreamRules.append(st, a.cmd(), now);
      if (d instanceof Decision.Accepted<Commands.AppendResult> ok) {
        for (StreamEvent e : ok.events()) st = st.apply(e);
        events.addAll(ok.events());
        replies.add(() -> a.replyTo().tell(Reply.ok(ok.reply())));
      } else {
        var rej = ((Decision.Rejected<Commands.AppendResult>) d).rejection();
        replies.add(() -> a.replyTo().tell(Reply.rejected(rej)));
      }
    }
    if (events.isEmpty()) {
      replies.forEach(Runnable::run);
      return Effect().none().thenUnstashAll();
    }
    return Effect().persist(events).thenRun(after -> {
      // Acknowledge first: waking thousands of live readers must not delay the writers' replies.
      replies.forEach(Runnable::run);
      afterPersist(s, after, events);
    }).thenUnstashAll();
  }

  private Effect<StreamEvent, StreamState> onConfirmForkOf(StreamState s, ConfirmForkOf cmd) {
    boolean mine = s.fork() != null && s.fork().sourcePath().equals(cmd.sourcePath());
    if (!mine || s.status() == StreamStatus.NONE) return Effect().reply(cmd.replyTo(), false);
    if (expired(s) && !busy && pending.isEmpty()) {
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
    if (busy || !pending.isEmpty()) return Effect().stash();
    if (expired(s)) return expireThenRetry(s, cmd);
    if (cmd instanceof Create c) return onCreate(s, c);
    if (cmd instanceof Delete d) return onDelete(s, d);
    if (cmd instanceof AcquireFork a) return onAcquireFork(s, a);
    if (cmd instanceof ReleaseFork r) return persistThen(s, StreamRules.releaseFork(s, r.childPath()), () -> {});
    ctx.getLog().warn("Unhandled command {}", cmd);
    return Effect().unhandled();
  }

  private Effect<StreamEvent, StreamState> onCreate(StreamState s, Create c) {
    var check = StreamRules.checkCreate(s, c.cmd());
    if (check instanceof StreamRules.CreateCheck.Done done) return persistDecision(s, done.decision(), c.replyTo());
    if (c.cmd().fork() == null) {
      return persistDecision(s, StreamRules.create(s, c.cmd(), newStoreId(), null, null, now()), c.replyTo());
    }
    if (c.cmd().fork().sourcePath().equals(path)) {
      return Effect().reply(c.replyTo(), Reply.rejected(Rejection.of(ErrorCode.BAD_REQUEST, "a stream cannot fork itself")));
    }
    busy = true;
    var fork = c.cmd().fork();
    CompletionStage<Reply<Commands.ForkGrant>> asked = Asks.<Command, Reply<Commands.ForkGrant>>ask(sourceRef(fork.sourcePath()),
        replyTo -> new AcquireFork(path, fork, c.cmd().contentType(), replyTo), deps.askTimeout());
    CompletionStage<ForkPrepared> prepared = asked.thenCompose(reply -> {
      if (reply.rejection() != null) {
        return CompletableFuture.completedFuture(new ForkPrepared(c.cmd(), null, null, reply.rejection(), null, c.replyTo()));
      }
      var grant = reply.value();
      if (fork.subOffset() == 0) {
        return CompletableFuture.completedFuture(new ForkPrepared(c.cmd(), grant, null, null, null, c.replyTo()));
      }
      return CompletableFuture.supplyAsync(() -> prefixOf(grant, fork.subOffset(), c.cmd(), c.replyTo()), deps.blockingIo());
    });
    ctx.pipeToSelf(prepared, (ok, err) -> err != null ? new ForkPrepared(c.cmd(), null, null, null, err, c.replyTo()) : ok);
    return Effect().none();
  }

  /** Runs on the blocking-IO executor: reads the anchor unit and cuts the sub-offset prefix. */
  private ForkPrepared prefixOf(
      Commands.ForkGrant grant, long n, Commands.Create cmd, ActorRef<Reply<Commands.CreateResult>> replyTo) {
    Bytes prefix;
    try {
      var unit = grant.anchorStoreId() < 0 ? null
          : deps.store().unitAt(grant.anchorStoreId(), grant.forkOffset().position()).orElse(null);
      prefix = unit == null ? null : StreamRules.subOffsetPrefix(unit.data(), ContentTypes.isJson(grant.contentType()), n);
    } catch (RuntimeException e) {
      // Keep the grant so the caller releases the source's pin; the fork is not created.
      return new ForkPrepared(cmd, grant, null, null, e, replyTo);
    }
    if (prefix == null) {
      return new ForkPrepared(cmd, grant, null,
          Rejection.of(ErrorCode.FORK_SUB_OFFSET_INVALID, "sub-offset exceeds the append unit at the fork offset"), null, replyTo);
    }
    return new ForkPrepared(cmd, grant, prefix, null, null, replyTo);
  }

  private Effect<StreamEvent, StreamState> onForkPrepared(StreamState s, ForkPrepared p) {
    busy = false;
    var replyTo = p.replyTo();
    if (p.failure() != null) {
      ctx.getLog().warn("Fork of {} from {} failed: {}", path, p.cmd().fork().sourcePath(), p.failure().toString());
      if (p.grant() != null) releaseSource(p.cmd().fork().sourcePath());
      return Effect().reply(replyTo, Reply.<Commands.CreateResult>rejected(null)).thenUnstashAll();
    }
    if (p.rejection() != null) {
      if (p.grant() != null) releaseSource(p.cmd().fork().sourcePath());
      return Effect().reply(replyTo, Reply.<Commands.CreateResult>rejected(p.rejection())).thenUnstashAll();
    }
    var d = StreamRules.create(s, p.cmd(), newStoreId(), p.grant(), p.prefix(), now());
    if (d instanceof Decision.Rejected<Commands.CreateResult>) releaseSource(p.cmd().fork().sourcePath());
    return persistDecision(s, d, replyTo, true);
  }

  private Effect<StreamEvent, StreamState> onAcquireFork(StreamState s, AcquireFork a) {
    var d = StreamRules.acquireFork(s, a.childPath(), a.fork(), a.requestedContentType());
    return persistDecision(s, d, a.replyTo());
  }

  private Effect<StreamEvent, StreamState> onDelete(StreamState s, Delete d) {
    Rejection r = StreamRules.checkDelete(s);
    if (r != null) return Effect().reply(d.replyTo(), Reply.rejected(r));
    if (s.forks().isEmpty()) return persistThen(s, StreamRules.delete(s, Set.of(), now()), () -> d.replyTo().tell(Reply.ok(true)));
    busy = true;
    var futures = new ArrayList<CompletableFuture<String>>();
    for (String child : s.forks()) {
      futures.add(Asks.<Command, Boolean>ask(sourceRef(child), replyTo -> new ConfirmForkOf(path, replyTo), deps.askTimeout())
          .thenApply(alive -> alive ? child : null));
    }
    var all = CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).thenApply(v -> {
      Set<String> alive = new HashSet<>();
      for (var f : futures) if (f.join() != null) alive.add(f.join());
      return alive;
    });
    ctx.pipeToSelf(all, (alive, err) -> new ForksConfirmed(alive, err, d.replyTo()));
    return Effect().none();
  }

  private Effect<StreamEvent, StreamState> onForksConfirmed(StreamState s, ForksConfirmed c) {
    busy = false;
    if (c.failure() != null) {
      ctx.getLog().warn("Delete of {}: could not confirm forks: {}", path, c.failure().toString());
      return Effect().reply(c.replyTo(), Reply.<Boolean>rejected(null)).thenUnstashAll();
    }
    if (s.status() != StreamStatus.ACTIVE) {
      return Effect().reply(c.replyTo(), Reply.<Boolean>rejected(StreamRules.checkDelete(s))).thenUnstashAll();
    }
    return persistThen(s, StreamRules.delete(s, c.alive(), now()), () -> c.replyTo().tell(Reply.ok(true)), true);
  }

  // ------------------------------------------------------------------ helpers

  private <T> Effect<StreamEvent, StreamState> persistDecision(StreamState before, Decision<T> d, ActorRef<Reply<T>> replyTo) {
    return persistDecision(before, d, replyTo, false);
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

  private Effect<StreamEvent, StreamState> persistThen(StreamState before, List<StreamEvent> events, Runnable reply) {
    return persistThen(before, events, reply, false);
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
    deps.hub().publish(path, new TailHub.TailUpdate(s.storeId(), s.tail(), s.closed(), s.status() != StreamStatus.ACTIVE, units));
  }

  private void releaseSource(String sourcePath) {
    sourceRef(sourcePath).tell(new ReleaseFork(path));
  }

  private org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef<Command> sourceRef(String otherPath) {
    return deps.sharding().entityRefFor(TYPE_KEY, otherPath);
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
