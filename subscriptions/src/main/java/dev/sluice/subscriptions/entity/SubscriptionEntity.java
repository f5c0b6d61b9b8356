package dev.sluice.subscriptions.entity;

import dev.sluice.core.CborSerializable;
import dev.sluice.subscriptions.rules.Json;
import dev.sluice.subscriptions.rules.SubEvent;
import dev.sluice.subscriptions.rules.SubState;
import dev.sluice.subscriptions.rules.SubStateSnapshot;
import dev.sluice.subscriptions.rules.SubscriptionSpec;
import dev.sluice.subscriptions.rules.Tokens;
import dev.sluice.subscriptions.rules.WakeRequest;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.SnapshotAdapter;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * One subscription (checklist §15) as a sharded, event-sourced entity on the streams' journal: a
 * thin shell around {@link SubState}. It links streams, starts wakes when linked streams have data
 * past their acked offsets (one wake at a time, so changes are coalesced), delivers webhook wakes
 * with retries, appends pull-wake events, and checks callbacks, claims, acks and releases.
 */
public final class SubscriptionEntity extends EventSourcedBehavior<SubscriptionEntity.Command, SubEvent, SubState> {
  public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "sluice-subscription");

  public sealed interface Command extends CborSerializable {}

  /** An HTTP-shaped answer: status and JSON body (empty for 204). */
  public record Reply(int status, String body) implements CborSerializable {}

  public record Put(SubscriptionSpec spec, String baseUrl, Map<String, Long> explicitTails, Map<String, Long> globTails,
                    ActorRef<Reply> replyTo) implements Command {}
  public record Get(ActorRef<Reply> replyTo) implements Command {}
  public record Delete(ActorRef<Reply> replyTo) implements Command {}
  public record AddStreams(Map<String, Long> tails, ActorRef<Reply> replyTo) implements Command {}
  public record RemoveStream(String path, ActorRef<Reply> replyTo) implements Command {}
  /**
   * From a node's coalescer: new tails of linked (or newly matching) streams, and streams gone;
   * acknowledged once recorded, so the coalescer sends it again if the entity's node died with it.
   */
  public record StreamsChanged(Map<String, Long> tails, Set<String> gone, ActorRef<Done> replyTo) implements Command {}
  /** A webhook callback ({@code action} "callback"), pull-wake "ack" or "release". */
  public record WakeAction(String action, String token, WakeRequest request, ActorRef<Reply> replyTo) implements Command {}
  public record Claim(String worker, ActorRef<Reply> replyTo) implements Command {}
  /** At node start: the config and explicit streams, for the node's index (null spec: none). */
  public record Describe(ActorRef<Description> replyTo) implements Command {}
  public record Description(SubscriptionSpec spec, Set<String> explicitStreams) implements CborSerializable {}

  record TailsLoaded(Map<String, Long> tails, Claim then) implements Command {}
  record Deliver(long generation) implements Command {}
  record Delivered(long generation, SubscriptionHost.Delivery outcome) implements Command {}
  record LeaseExpired(long generation) implements Command {}
  enum MaybeWake implements Command { INSTANCE }

  /** @param snapshotEvery events between snapshots ({@code sluice.subscriptions.snapshot-every}) */
  public static Behavior<Command> create(String id, SubscriptionHost host, InstantSource clock, int snapshotEvery) {
    return create(id, host, clock, snapshotEvery, null);
  }

  /**
   * As above, for an entity of {@code shard}: once deleted it asks its shard to passivate it.
   * Why: subscriptions are never passivated by idleness (they hold lease and retry timers), so a
   * deleted one would otherwise stay in memory until the node restarts, one per subscription ever
   * deleted. Passivation, not a stop: the shard buffers messages for it meanwhile (a PUT of the same
   * id right after the DELETE starts a fresh incarnation, which recovers "deleted" and creates it).
   */
  public static Behavior<Command> create(String id, SubscriptionHost host, InstantSource clock, int snapshotEvery,
                                         ActorRef<ClusterSharding.ShardCommand> shard) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new SubscriptionEntity(ctx, timers, id, host, clock, snapshotEvery, shard)));
  }

  public static PersistenceId persistenceId(String id) {
    return PersistenceId.of("subscription", id, "|");
  }

  private final ActorContext<Command> ctx;
  /** Null outside sharding (tests); see {@link #create(String, SubscriptionHost, InstantSource, int, ActorRef)}. */
  private final ActorRef<ClusterSharding.ShardCommand> shard;
  private final TimerScheduler<Command> timers;
  private final String id;
  private final SubscriptionHost host;
  private final InstantSource clock;
  private final int snapshotEvery;
  /** Events applied before recovery completed: those after the snapshot it started from (all of them without one). */
  private long replayed;
  private boolean recovered;
  /** Webhook delivery attempts of the current wake that failed (in memory: a restart retries at once). */
  private int failedAttempts;
  private boolean deliveryInFlight;

  private SubscriptionEntity(ActorContext<Command> ctx, TimerScheduler<Command> timers, String id, SubscriptionHost host,
                             InstantSource clock, int snapshotEvery, ActorRef<ClusterSharding.ShardCommand> shard) {
    super(persistenceId(id));
    this.shard = shard;
    this.snapshotEvery = snapshotEvery;
    this.ctx = ctx;
    this.timers = timers;
    this.id = id;
    this.host = host;
    this.clock = clock;
  }

  @Override
  public SubState emptyState() {
    var s = new SubState();
    s.subscriptionIdForTokens = id;
    return s;
  }

  /**
   * A snapshot every {@code snapshotEvery} events, the last two kept, so recovery replays at most
   * that many events however long the subscription lived. Events are kept (not deleted on
   * snapshot): they are small, and the replicated journal's followers hold the same sequence.
   */
  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(snapshotEvery, 2);
  }

  /** The snapshot is an immutable copy taken here, on the entity's thread ({@link SubStateSnapshot} says why). */
  @Override
  public SnapshotAdapter<SubState> snapshotAdapter() {
    return new SnapshotAdapter<>() {
      @Override
      public Object toJournal(SubState state) {
        return SubStateSnapshot.of(state);
      }

      @Override
      public SubState fromJournal(Object from) {
        return ((SubStateSnapshot) from).restore(id);
      }
    };
  }

  @Override
  public EventHandler<SubState, SubEvent> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent((s, e) -> {
      if (!recovered) replayed++;
      return s.apply(e);
    });
  }

  /** After a restart: index the subscription, read the linked streams' tails, then resume (redeliver, re-arm leases). */
  @Override
  public SignalHandler<SubState> signalHandler() {
    return newSignalHandlerBuilder().onSignal(RecoveryCompleted.instance(), s -> {
      recovered = true;
      host.recovered(id, lastSequenceNumber(ctx), replayed);
      if (!s.exists()) return;
      // Which node runs it (operators and the cluster tests look for this line after a crash).
      ctx.getLog().info("subscription {} runs on this node (recovered at event {}, {} replayed after the snapshot)", id,
          lastSequenceNumber(ctx), replayed);
      // Published again by whichever node the entity recovers on (after a crash: another one).
      host.indexed(id, lastSequenceNumber(ctx), s.spec, explicit(s));
      loadTails(s, null);
    }).build();
  }

  @Override
  public CommandHandler<Command, SubEvent, SubState> commandHandler() {
    return newCommandHandlerBuilder().forAnyState().onAnyCommand(this::handle);
  }

  private Effect<SubEvent, SubState> handle(SubState s, Command c) {
    if (c instanceof Put p) return put(s, p);
    if (c instanceof Describe d) {
      d.replyTo().tell(new Description(s.exists() ? s.spec : null, s.exists() ? explicit(s) : Set.of()));
      return Effect().none();
    }
    if (c instanceof StreamsChanged ch) return changed(s, ch);
    if (c instanceof TailsLoaded t) return tailsLoaded(s, t);
    if (c instanceof Deliver d) return deliver(s, d.generation());
    if (c instanceof Delivered d) return delivered(s, d);
    if (c instanceof LeaseExpired l) return leaseExpired(s, l.generation());
    if (c == MaybeWake.INSTANCE) return maybeWake(s);
    if (!s.exists()) return Effect().none().thenRun(x -> replyTo(c).tell(notFound()));
    if (c instanceof Get g) return Effect().none().thenRun(x -> g.replyTo().tell(new Reply(200, record(x))));
    if (c instanceof Delete d) {
      return Effect().persist(new SubEvent.Deleted(clock.millis())).thenRun(x -> {
        timers.cancelAll();
        host.unindexed(id, lastSequenceNumber(ctx)).whenComplete((done, err) -> d.replyTo().tell(new Reply(204, "")));
        if (shard != null) shard.tell(new ClusterSharding.Passivate<>(ctx.getSelf()));
      });
    }
    if (c instanceof AddStreams a) return addStreams(s, a);
    if (c instanceof RemoveStream r) {
      var l = s.links.get(r.path());
      if (l == null || !l.explicit) return Effect().none().thenRun(x -> r.replyTo().tell(new Reply(204, "")));
      return Effect().persist(new SubEvent.Unlinked(r.path())).thenRun(x ->
          host.indexed(id, lastSequenceNumber(ctx), x.spec, explicit(x))
              .whenComplete((done, err) -> r.replyTo().tell(new Reply(204, ""))));
    }
    if (c instanceof Claim cl) return claim(s, cl, false);
    if (c instanceof WakeAction w) return wakeAction(s, w);
    return Effect().unhandled();
  }

  /** Pekko wants no empty persist: nothing to record is {@code none()} with the same side effects. */
  private org.apache.pekko.persistence.typed.javadsl.EffectBuilder<SubEvent, SubState> persistAll(List<SubEvent> events) {
    return events.isEmpty() ? Effect().none() : Effect().persist(events);
  }

  private static ActorRef<Reply> replyTo(Command c) {
    if (c instanceof Get g) return g.replyTo();
    if (c instanceof Delete d) return d.replyTo();
    if (c instanceof AddStreams a) return a.replyTo();
    if (c instanceof RemoveStream r) return r.replyTo();
    if (c instanceof Claim cl) return cl.replyTo();
    return ((WakeAction) c).replyTo();
  }

  private static Reply notFound() {
    return new Reply(404, Json.error("SUBSCRIPTION_NOT_FOUND", "subscription not found"));
  }

  private String record(SubState s) {
    return Json.record(id, s, host.kid(), failedAttempts > 0 ? "failed" : "active");
  }

  private static Set<String> explicit(SubState s) {
    var out = new TreeSet<String>();
    s.links.forEach((p, l) -> {
      if (l.explicit) out.add(p);
    });
    return out;
  }

  // ------------------------------------------------------------------ configuration

  /** 201 new, 200 same normalized config, 409 different (checklist §15). */
  private Effect<SubEvent, SubState> put(SubState s, Put p) {
    if (s.exists()) {
      boolean same = s.spec.configHash().equals(p.spec().configHash());
      return Effect().none().thenRun(x -> p.replyTo().tell(same ? new Reply(200, record(x))
          : new Reply(409, Json.error("SUBSCRIPTION_ALREADY_EXISTS", "subscription exists with a different configuration"))));
    }
    var created = new SubEvent.Created(p.spec(), p.baseUrl(), clock.millis(), Tokens.newKey(), p.explicitTails(), p.globTails());
    return Effect().persist(created).thenRun(x -> {
      x.tails.putAll(p.globTails());
      x.tails.putAll(p.explicitTails());
      ctx.getLog().info("subscription {} runs on this node (created)", id);
      // Answered once every node matches with it, so a stream the client creates next wakes it.
      var created201 = new Reply(201, record(x));
      host.indexed(id, lastSequenceNumber(ctx), x.spec, explicit(x)).whenComplete((done, err) -> p.replyTo().tell(created201));
      // Streams linked at their tails have nothing pending; a stream that moved meanwhile wakes.
      loadTails(x, null);
    });
  }

  private Effect<SubEvent, SubState> addStreams(SubState s, AddStreams a) {
    var events = new ArrayList<SubEvent>();
    a.tails().forEach((p, t) -> {
      var l = s.links.get(p);
      if (l == null || !l.explicit) events.add(new SubEvent.Linked(p, true, l == null ? t : l.acked));
    });
    return persistAll(events).thenRun(x -> {
      a.tails().forEach(x.tails::putIfAbsent);
      host.indexed(id, lastSequenceNumber(ctx), x.spec, explicit(x))
          .whenComplete((done, err) -> a.replyTo().tell(new Reply(204, "")));
    });
  }

  // ------------------------------------------------------------------ stream changes and wakes

  private Effect<SubEvent, SubState> changed(SubState s, StreamsChanged ch) {
    if (!s.exists()) return Effect().none().thenRun(x -> ch.replyTo().tell(Done.getInstance()));
    var events = new ArrayList<SubEvent>();
    var glob = s.spec.glob();
    for (String gone : ch.gone()) {
      if (s.links.containsKey(gone)) events.add(new SubEvent.Dropped(gone));
    }
    ch.tails().forEach((p, t) -> {
      if (ch.gone().contains(p)) return;
      if (p.equals(s.spec.wakeStream())) return; // its own wake events never wake it
      if (!s.links.containsKey(p) && glob != null && glob.matches(p)) {
        // A stream the pattern picks up after the subscription exists: all of its data is pending.
        events.add(new SubEvent.Linked(p, false, -1));
      }
    });
    return persistAll(events).thenRun(x -> {
      ch.tails().forEach((p, t) -> {
        if (x.links.containsKey(p)) x.tails.merge(p, t, Math::max);
      });
      ctx.getSelf().tell(MaybeWake.INSTANCE);
      ch.replyTo().tell(Done.getInstance());
    });
  }

  private void loadTails(SubState s, Claim then) {
    var paths = new ArrayList<>(s.links.keySet());
    ctx.pipeToSelf(host.tails(paths), (m, err) -> new TailsLoaded(err == null ? m : Map.of(), then));
  }

  private Effect<SubEvent, SubState> tailsLoaded(SubState s, TailsLoaded t) {
    if (!s.exists()) {
      if (t.then() != null) t.then().replyTo().tell(notFound());
      return Effect().none();
    }
    t.tails().forEach((p, tail) -> {
      if (s.links.containsKey(p)) s.tails.put(p, tail);
    });
    if (t.then() != null) return claim(s, t.then(), true);
    resume(s);
    return maybeWake(s);
  }

  /** After a restart: the wake in progress goes on (webhook: delivered again; pull-wake: its lease re-armed). */
  private void resume(SubState s) {
    if (s.wakeId == null) return;
    String type = s.spec.type();
    if (type.equals(SubscriptionSpec.WEBHOOK) && !deliveryInFlight && !timers.isTimerActive("lease")
        && !timers.isTimerActive("deliver")) {
      ctx.getSelf().tell(new Deliver(s.generation));
    } else if (!type.equals(SubscriptionSpec.WEBHOOK)) {
      if (s.holder != null) {
        long left = Math.max(0, s.leaseUntilMillis - clock.millis());
        timers.startSingleTimer("lease", new LeaseExpired(s.generation), Duration.ofMillis(left));
      } else {
        // The event may not have reached the wake stream before the restart: a duplicate hint is harmless.
        appendWakeEvent(s);
      }
    }
  }

  private Effect<SubEvent, SubState> maybeWake(SubState s) {
    if (!s.exists() || s.wakeId != null || !s.pending()) return Effect().none();
    var started = new SubEvent.WakeStarted(s.generation + 1, Tokens.randomId("w_"), s.snapshotNow());
    return Effect().persist(started).thenRun(x -> {
      failedAttempts = 0;
      switch (x.spec.type()) {
        case SubscriptionSpec.WEBHOOK -> ctx.getSelf().tell(new Deliver(x.generation));
        case SubscriptionSpec.PULL_WAKE -> appendWakeEvent(x);
        default -> host.localWake(id, x.generation);
      }
    });
  }

  private void appendWakeEvent(SubState s) {
    if (s.spec.wakeStream() == null) {
      host.localWake(id, s.generation);
      return;
    }
    String first = s.firstPending();
    host.appendWakeEvent(s.spec.wakeStream(), Json.wakeEvent(id, first == null ? "" : first, s.generation, clock.millis()));
  }

  private Effect<SubEvent, SubState> deliver(SubState s, long generation) {
    if (!s.exists() || s.wakeId == null || s.generation != generation || deliveryInFlight) return Effect().none();
    deliveryInFlight = true;
    String body = Json.wakeBody(id, s, Tokens.issue(s.tokenKey, id, s.generation));
    ctx.pipeToSelf(host.deliver(s.spec.webhookUrl(), body),
        (d, err) -> new Delivered(generation, err == null ? d : new SubscriptionHost.Delivery(false, false, String.valueOf(err))));
    return Effect().none();
  }

  private Effect<SubEvent, SubState> delivered(SubState s, Delivered d) {
    deliveryInFlight = false;
    if (!s.exists() || s.wakeId == null || s.generation != d.generation()) return Effect().none();
    if (!d.outcome().ok()) {
      failedAttempts++;
      long delay = Tokens.backoffMillis(failedAttempts, ThreadLocalRandom.current().nextDouble());
      ctx.getLog().info("subscription {}: webhook delivery failed ({}), retry {} in {} ms", id, d.outcome().problem(),
          failedAttempts, delay);
      timers.startSingleTimer("deliver", new Deliver(d.generation()), Duration.ofMillis(delay));
      return Effect().none();
    }
    failedAttempts = 0;
    if (d.outcome().done()) {
      // {"done": true}: the receiver handled everything in the wake (checklist §15 "Webhook delivery").
      return Effect().persist(List.of(new SubEvent.Acked(s.snapshot), new SubEvent.WakeEnded(s.generation)))
          .thenRun(x -> ctx.getSelf().tell(MaybeWake.INSTANCE));
    }
    timers.startSingleTimer("lease", new LeaseExpired(d.generation()), Duration.ofMillis(s.spec.leaseTtlMs()));
    return Effect().none();
  }

  /** Nobody finished the wake in time: it ends, and a new generation starts if data is still pending. */
  private Effect<SubEvent, SubState> leaseExpired(SubState s, long generation) {
    if (!s.exists() || s.wakeId == null || s.generation != generation) return Effect().none();
    if (!s.spec.type().equals(SubscriptionSpec.WEBHOOK) && s.claimedAt(clock.millis())) {
      timers.startSingleTimer("lease", new LeaseExpired(generation), Duration.ofMillis(s.leaseUntilMillis - clock.millis()));
      return Effect().none();
    }
    return Effect().persist(new SubEvent.WakeEnded(generation)).thenRun(x -> ctx.getSelf().tell(MaybeWake.INSTANCE));
  }

  // ------------------------------------------------------------------ claims, acks, callbacks

  private Effect<SubEvent, SubState> claim(SubState s, Claim c, boolean refreshed) {
    if (s.spec.type().equals(SubscriptionSpec.WEBHOOK)) {
      return Effect().none().thenRun(x -> c.replyTo().tell(new Reply(400, Json.error("INVALID_REQUEST", "subscription is not pull-wake"))));
    }
    long now = clock.millis();
    if (s.claimedAt(now)) {
      return Effect().none().thenRun(x -> c.replyTo().tell(new Reply(409, Json.alreadyClaimed(x.holder, x.generation))));
    }
    if (s.wakeId == null && !s.pending()) {
      if (!refreshed) {
        // A change may still be on its way from the stream: look at the tails before saying "nothing".
        loadTails(s, c);
        return Effect().none();
      }
      return Effect().none().thenRun(x -> c.replyTo().tell(new Reply(409, Json.error("NO_PENDING_WORK", "subscription has no pending work"))));
    }
    var events = new ArrayList<SubEvent>();
    if (s.wakeId == null || s.holder != null) {
      // No wake, or the previous holder's lease ran out: a new generation fences the old holder.
      events.add(new SubEvent.WakeStarted(s.generation + 1, Tokens.randomId("w_"), s.snapshotNow()));
    }
    events.add(new SubEvent.Claimed(c.worker(), now + s.spec.leaseTtlMs()));
    return persistAll(events).thenRun(x -> {
      timers.startSingleTimer("lease", new LeaseExpired(x.generation), Duration.ofMillis(x.spec.leaseTtlMs()));
      c.replyTo().tell(new Reply(200, Json.claim(x, Tokens.issue(x.tokenKey, id, x.generation))));
    });
  }

  private Effect<SubEvent, SubState> wakeAction(SubState s, WakeAction w) {
    boolean webhook = s.spec.type().equals(SubscriptionSpec.WEBHOOK);
    if (w.action().equals("callback") != webhook) {
      String why = webhook ? "use the callback URL for webhook subscriptions" : "callback is for webhook subscriptions";
      return Effect().none().thenRun(x -> w.replyTo().tell(new Reply(400, Json.error("INVALID_REQUEST", why))));
    }
    var r = w.request();
    var refusal = s.checkWake(w.token(), r.wakeId(), r.generation());
    if (refusal == null && !webhook && !s.claimedAt(clock.millis())) {
      refusal = new SubState.Refusal(409, "FENCED", "the claim's lease expired");
    }
    if (refusal != null) {
      var rf = refusal;
      return Effect().none().thenRun(x -> w.replyTo().tell(new Reply(rf.status(), Json.error(rf.code(), rf.message()))));
    }
    Map<String, Long> acks;
    try {
      acks = w.action().equals("release") ? Map.of() : s.checkAcks(r.acks());
    } catch (SubState.RefusedException e) {
      var rf = e.refusal();
      return Effect().none().thenRun(x -> w.replyTo().tell(new Reply(rf.status(), Json.error(rf.code(), rf.message()))));
    }
    boolean ends = r.done() || w.action().equals("release");
    var events = new ArrayList<SubEvent>();
    if (!acks.isEmpty()) events.add(new SubEvent.Acked(acks));
    long gen = s.generation;
    if (ends) {
      events.add(new SubEvent.WakeEnded(gen));
    } else if (!webhook) {
      events.add(new SubEvent.LeaseExtended(clock.millis() + s.spec.leaseTtlMs()));
    }
    return persistAll(events).thenRun(x -> {
      if (ends) {
        timers.cancel("lease");
        timers.cancel("deliver");
      } else {
        // A heartbeat: the holder keeps the wake for another lease.
        timers.startSingleTimer("lease", new LeaseExpired(gen), Duration.ofMillis(x.spec.leaseTtlMs()));
      }
      boolean next = ends && x.pending();
      if (w.action().equals("release")) w.replyTo().tell(new Reply(204, ""));
      else w.replyTo().tell(new Reply(200, Json.ok(next)));
      if (ends) ctx.getSelf().tell(MaybeWake.INSTANCE);
    });
  }
}
