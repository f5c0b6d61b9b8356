package dev.sluice.subscriptions;

import dev.sluice.actors.api.SluiceStreams;
import dev.sluice.actors.api.StreamGateway;
import dev.sluice.actors.tail.TailHub;
import dev.sluice.core.Bytes;
import dev.sluice.core.rules.Commands;
import dev.sluice.core.rules.Payloads;
import dev.sluice.subscriptions.entity.SubscriptionDirectory;
import dev.sluice.subscriptions.entity.SubscriptionEntity;
import dev.sluice.subscriptions.entity.SubscriptionEntity.Reply;
import dev.sluice.subscriptions.entity.SubscriptionHost;
import dev.sluice.subscriptions.index.IndexKeeper;
import dev.sluice.subscriptions.rules.Glob;
import dev.sluice.subscriptions.rules.IndexEntries;
import dev.sluice.subscriptions.rules.Json;
import dev.sluice.subscriptions.rules.PatternIndex;
import dev.sluice.subscriptions.rules.SigningKey;
import dev.sluice.subscriptions.rules.SubscriptionSpec;
import dev.sluice.subscriptions.rules.WakeRequest;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's subscriptions (checklist §15, issue 10): the sharded subscription entities, the match
 * index fed by every committed stream change, the coalescer, webhook delivery, and the operations
 * the {@code __ds} routes and embedding applications call. Start once per node, after
 * {@link SluiceStreams#start}. Thread-safe.
 */
public final class Subscriptions implements SubscriptionHost {
  private static final Logger log = LoggerFactory.getLogger(Subscriptions.class);
  private static final Duration ASK = Duration.ofSeconds(8);
  /**
   * A hand-off of stream changes not acknowledged within this is sent again after
   * {@link #HANDOFF_RETRY}: long enough for a live entity, short enough that a change sent to a node
   * that just died is repeated soon after sharding moved the entity.
   */
  private static final Duration HANDOFF_TIMEOUT = Duration.ofSeconds(3);
  private static final Duration HANDOFF_RETRY = Duration.ofMillis(500);
  /**
   * How long a definition change waits for the other nodes' index keepers: longer than a live
   * peer needs, short enough that a peer that just died (still listed) delays the answer little.
   */
  private static final Duration INDEX_ACK_TIMEOUT = Duration.ofSeconds(3);

  /** Lists existing stream paths, for pattern backfill; {@link #NONE} when the node cannot list them. */
  @FunctionalInterface
  public interface StreamCatalog {
    Collection<String> paths();

    StreamCatalog NONE = List::of;

    /**
     * The streams among a journal's persistence ids: {@code idsWithPrefix} lists the ids that start
     * with its argument (for Sluice's RocksDB storage, {@code RocksDbStorage::persistenceIds}).
     */
    static StreamCatalog ofPersistenceIds(Function<String, List<String>> idsWithPrefix) {
      String prefix = dev.sluice.actors.stream.StreamEntity.persistenceId("x").id();
      String streamPrefix = prefix.substring(0, prefix.length() - 1);
      return () -> idsWithPrefix.apply(streamPrefix).stream().map(pid -> pid.substring(streamPrefix.length())).toList();
    }
  }

  private final ActorSystem<?> system;
  private final ClusterSharding sharding;
  private final StreamGateway streams;
  private final SubscriptionSettings settings;
  private final StreamCatalog catalog;
  private final Executor blockingIo;
  private final WebhookClient webhooks;
  private final WakeCoalescer coalescer;
  private final LocalWakes local = new LocalWakes();
  /** Every subscription of the cluster, kept by this node's {@link IndexKeeper}, which replaces it on each change. */
  private volatile PatternIndex index = PatternIndex.EMPTY;
  private ActorRef<IndexKeeper.Command> keeper;
  private final CompletableFuture<SigningKey> key = new CompletableFuture<>();

  private Subscriptions(ActorSystem<?> system, SluiceStreams sluice, SubscriptionSettings settings, StreamCatalog catalog,
                        InstantSource clock) {
    this.system = system;
    this.sharding = ClusterSharding.get(system);
    this.streams = sluice.gateway();
    this.settings = settings;
    this.catalog = catalog;
    this.blockingIo = system.dispatchers().lookup(DispatcherSelector.fromConfig(
        system.settings().config().getString("sluice.actors.blocking-io-dispatcher")));
    this.webhooks = new WebhookClient(blockingIo, settings.webhookTimeout(), settings.allowLocalHttp(), clock);
    this.coalescer = new WakeCoalescer(system.executionContext(), HANDOFF_RETRY, (id, ch) ->
        entity(id).<Done>ask(r -> new SubscriptionEntity.StreamsChanged(ch.tails(), ch.gone(), r), HANDOFF_TIMEOUT));
  }

  /**
   * Starts the node's subscriptions: registers the entities, hooks the stream changes of this
   * node, loads the signing key and indexes every existing subscription (each resumes its wakes).
   */
  public static Subscriptions start(ActorSystem<?> system, SluiceStreams sluice, SubscriptionSettings settings,
                                    StreamCatalog catalog) {
    var clock = InstantSource.system();
    var subs = new Subscriptions(system, sluice, settings, catalog, clock);
    // Before the entities: every definition they publish goes through it.
    subs.keeper = system.systemActorOf(IndexKeeper.create(i -> subs.index = i, subs::peerLost, INDEX_ACK_TIMEOUT),
        IndexKeeper.NAME, Props.empty());
    // Subscriptions hold timers (leases, retries): they are never passivated while they exist; a
    // deleted one passivates itself.
    var noPassivation = ClusterShardingSettings.create(system).withNoPassivationStrategy();
    subs.sharding.init(Entity.of(SubscriptionEntity.TYPE_KEY, ctx -> SubscriptionEntity.create(ctx.getEntityId(), subs, clock,
        settings.snapshotEvery(), ctx.getShard()))
        .withSettings(noPassivation));
    subs.sharding.init(Entity.of(SubscriptionDirectory.TYPE_KEY, ctx -> SubscriptionDirectory.create(ctx.getEntityId()))
        .withSettings(noPassivation));
    TailHub hub = sluice.hub();
    hub.setChangeListener(subs::onStreamChange);
    subs.load(0);
    return subs;
  }

  private void load(int attempt) {
    directory().<SubscriptionDirectory.Loaded>ask(SubscriptionDirectory.Load::new, ASK).whenComplete((l, err) -> {
      if (err != null) {
        log.warn("subscription directory not loaded ({}); retrying", err.toString());
        system.scheduler().scheduleOnce(Duration.ofSeconds(Math.min(10, 1L << Math.min(attempt, 3))), () -> load(attempt + 1),
            system.executionContext());
        return;
      }
      key.complete(SigningKey.restore(l.privatePkcs8(), l.publicX509()));
      // Waking each entity makes it recover, index itself and resume its wakes.
      for (String id : l.ids()) entity(id).tell(new SubscriptionEntity.Describe(system.ignoreRef()));
      log.info("subscriptions: {} registered, webhook signing key {}", l.ids().size(), key.join().kid());
    });
  }

  /** Completes once the signing key is loaded (the API answers after it). */
  public CompletionStage<SigningKey> signingKey() {
    return key;
  }

  public SubscriptionSettings settings() {
    return settings;
  }

  private EntityRef<SubscriptionEntity.Command> entity(String id) {
    return sharding.entityRefFor(SubscriptionEntity.TYPE_KEY, id);
  }

  private EntityRef<SubscriptionDirectory.Command> directory() {
    return sharding.entityRefFor(SubscriptionDirectory.TYPE_KEY, SubscriptionDirectory.ENTITY_ID);
  }

  // ------------------------------------------------------------------ the append path

  /** Runs on the stream entity's thread after every durable change: an index lookup, then hand-off. */
  private void onStreamChange(String path, TailHub.TailUpdate u) {
    if (u.isSpurious()) return;
    try {
      Set<String> ids = index.match(path);
      if (ids.isEmpty()) return;
      for (String id : ids) coalescer.add(id, path, u.tail(), u.gone());
    } catch (RuntimeException e) {
      log.warn("subscription match for {} failed", path, e);
    }
  }

  /**
   * A node left: the entities that ran there restart elsewhere only when told something, and they
   * may hold a wake in progress (a lease, a webhook retry), so each is woken now and resumes
   * (every surviving node does this; an entity that did not move just acknowledges).
   */
  private void peerLost() {
    for (String id : index.ids()) coalescer.touch(id);
  }

  /** Number of subscriptions in this node's index. */
  public int indexedCount() {
    return index.size();
  }

  // ------------------------------------------------------------------ SubscriptionHost

  @Override
  public CompletionStage<Map<String, Long>> tails(Collection<String> paths) {
    var out = new ConcurrentHashMap<String, Long>();
    var all = new ArrayList<CompletableFuture<?>>();
    for (String p : paths) {
      all.add(streams.view(p, false).handle((v, err) -> out.put(p, err == null && v.info() != null ? v.tail() : 0L))
          .toCompletableFuture());
    }
    return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).thenApply(x -> Map.copyOf(out));
  }

  /** Tails of the paths that exist as streams now (the others are left out). */
  private CompletionStage<Map<String, Long>> existingTails(Collection<String> paths) {
    var out = new ConcurrentHashMap<String, Long>();
    var all = new ArrayList<CompletableFuture<?>>();
    for (String p : paths) {
      all.add(streams.view(p, false).handle((v, err) -> {
        if (err == null && v.info() != null) out.put(p, v.tail());
        return null;
      }).toCompletableFuture());
    }
    return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).thenApply(x -> Map.copyOf(out));
  }

  @Override
  public void appendWakeEvent(String wakeStream, String eventJson) {
    var cmd = new Commands.Append("application/json", Payloads.forContentType("application/json", Bytes.utf8(eventJson)),
        false, null, null);
    streams.append(wakeStream, cmd).whenComplete((r, err) -> {
      if (err != null) log.warn("wake event not appended to {}: {}", wakeStream, err.toString());
    });
  }

  @Override
  public CompletionStage<Delivery> deliver(String url, String body) {
    return key.thenCompose(k -> webhooks.post(k, url, body));
  }

  @Override
  public String kid() {
    return key.isDone() ? key.join().kid() : null;
  }

  @Override
  public CompletionStage<Done> indexed(String id, long version, SubscriptionSpec spec, Set<String> explicitStreams) {
    return publish(IndexEntries.Entry.of(id, version, spec, explicitStreams));
  }

  @Override
  public CompletionStage<Done> unindexed(String id, long version) {
    local.closeAll(id);
    recoveries.forget(id);
    return publish(IndexEntries.Entry.tombstone(id, version));
  }

  private CompletionStage<Done> publish(IndexEntries.Entry e) {
    // The keeper answers within its ack timeout; the ask's own timeout only guards against a stopped keeper.
    return org.apache.pekko.actor.typed.javadsl.AskPattern.<IndexKeeper.Command, Done>ask(keeper,
        r -> new IndexKeeper.Publish(e, r), INDEX_ACK_TIMEOUT.plusSeconds(2), system.scheduler());
  }

  /** How a subscription entity's recovery on this node went. */
  public record Recovery(long sequenceNr, long replayedEvents) {}

  private final RecoveryStats recoveries = new RecoveryStats();

  @Override
  public void recovered(String id, long sequenceNr, long replayedEvents) {
    recoveries.record(id, sequenceNr, replayedEvents);
  }

  /**
   * The last recovery of subscription {@code id} on this node: how many journal events it replayed
   * on top of its snapshot ({@code snapshot-every} bounds them). Null if it has not run here, was
   * deleted, or is not among the last {@link RecoveryStats#RECENT} recoveries.
   */
  public Recovery lastRecovery(String id) {
    return recoveries.last(id);
  }

  /** This node's subscription recoveries: totals (exported as metrics) and the recent ones by id. */
  public RecoveryStats recoveryStats() {
    return recoveries;
  }

  @Override
  public void localWake(String id, long generation) {
    local.wake(id, generation);
  }

  LocalWakes localWakes() {
    return local;
  }

  // ------------------------------------------------------------------ operations (routes, embedding)

  private <T> CompletionStage<Reply> ask(String id, Function<ActorRef<Reply>, SubscriptionEntity.Command> msg) {
    return key.thenCompose(k -> entity(id).ask(msg::apply, ASK));
  }

  /** PUT: {@code base} is the scheme and host the client used (for callback and JWKS links). */
  public CompletionStage<Reply> put(String id, String body, String base) {
    SubscriptionSpec spec = SubscriptionSpec.parse(body, settings.allowLocalHttp());
    return put(id, spec, base);
  }

  CompletionStage<Reply> put(String id, SubscriptionSpec spec, String base) {
    String baseUrl = settings.publicUrl().isEmpty() ? base : settings.publicUrl();
    Glob glob = spec.glob();
    // A pattern backfills the streams that exist now at their tails (checklist §15).
    CompletionStage<List<String>> backfill = glob == null ? CompletableFuture.completedFuture(List.of())
        : CompletableFuture.supplyAsync(() -> {
          List<String> out = new ArrayList<>();
          for (String p : catalog.paths()) {
            if (glob.matches(p) && !p.equals(spec.wakeStream()) && !spec.streams().contains(p)) out.add(p);
          }
          return out;
        }, blockingIo);
    return tails(spec.streams()).thenCompose(explicit -> backfill.thenCompose(this::existingTails).thenCompose(globTails ->
        key.thenCompose(k -> directory().<Done>ask(r -> new SubscriptionDirectory.Register(id, r), ASK))
            .thenCompose(d -> ask(id, r -> new SubscriptionEntity.Put(spec, baseUrl, explicit, globTails, r)))));
  }

  public CompletionStage<Reply> get(String id) {
    return ask(id, SubscriptionEntity.Get::new);
  }

  public CompletionStage<Reply> delete(String id) {
    return ask(id, SubscriptionEntity.Delete::new).thenCompose(r -> r.status() != 204 ? CompletableFuture.completedFuture(r)
        : directory().<Done>ask(x -> new SubscriptionDirectory.Unregister(id, x), ASK).thenApply(d -> r));
  }

  public CompletionStage<Reply> addStreams(String id, String body) {
    List<String> paths = SubscriptionSpec.parseStreams(body);
    return tails(paths).thenCompose(t -> ask(id, r -> new SubscriptionEntity.AddStreams(t, r)));
  }

  public CompletionStage<Reply> removeStream(String id, String path) {
    return ask(id, r -> new SubscriptionEntity.RemoveStream(path, r));
  }

  public CompletionStage<Reply> claim(String id, String body) {
    String worker = Claims.worker(body);
    return ask(id, r -> new SubscriptionEntity.Claim(worker, r));
  }

  /** {@code action}: {@code callback} (webhook), {@code ack} or {@code release} (pull-wake). */
  public CompletionStage<Reply> wakeAction(String id, String action, String bearerToken, String body) {
    WakeRequest req = WakeRequest.parse(body);
    return ask(id, r -> new SubscriptionEntity.WakeAction(action, bearerToken, req, r));
  }

  public CompletionStage<String> jwks() {
    return key.thenApply(SigningKey::jwksJson);
  }

  // ------------------------------------------------------------------ embedding API

  /**
   * Creates an embedded subscription {@code id} to the streams matching {@code pattern} (null for
   * none; {@code *} one segment, {@code **} any) and/or {@code streams}; existing matching streams
   * are linked at their tails. Idempotent: the same configuration again completes normally; a
   * different one fails with {@link SubscriptionException} {@code SUBSCRIPTION_ALREADY_EXISTS}.
   * Wakes are delivered to {@link #wakes} on this node, nowhere else.
   */
  public CompletionStage<Done> subscribe(String id, String pattern, List<String> streams) {
    try {
      if (!SubscriptionSpec.validId(id)) throw new SubscriptionSpec.Invalid("INVALID_REQUEST", "invalid subscription id: " + id);
      if (pattern != null) Glob.compile(pattern);
      for (String p : streams) {
        String why = SubscriptionSpec.pathProblem(p);
        if (why != null) throw new SubscriptionSpec.Invalid("INVALID_REQUEST", why);
      }
      if (pattern == null && streams.isEmpty()) throw new SubscriptionSpec.Invalid("INVALID_REQUEST", "a pattern or streams are required");
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(new SubscriptionException(400, "INVALID_REQUEST", e.getMessage()));
    }
    var spec = new SubscriptionSpec(SubscriptionSpec.LOCAL, pattern, streams, null, null, SubscriptionSpec.DEFAULT_LEASE_MS, null);
    return put(id, spec, "").thenApply(r -> {
      Wake.check(r);
      return Done.getInstance();
    });
  }

  /** Deletes subscription {@code id}; its open {@link #wakes} sources fail. */
  public CompletionStage<Done> unsubscribe(String id) {
    return delete(id).thenApply(r -> {
      Wake.check(r);
      return Done.getInstance();
    });
  }

  /**
   * The wakes of embedded subscription {@code id} as they come: each element is a claimed wake
   * (this source is the worker; one wake at a time per subscription across all its sources), to be
   * {@linkplain Wake#ack() acked} when its streams are handled. Backpressured: no claim is made
   * until the next element is pulled. Fails with {@link SubscriptionException} if the subscription
   * does not exist or is deleted.
   */
  public org.apache.pekko.stream.javadsl.Source<Wake, org.apache.pekko.NotUsed> wakes(String id) {
    String worker = "embedded-" + java.util.UUID.randomUUID();
    return org.apache.pekko.stream.javadsl.Source.<Wake, org.apache.pekko.NotUsed>fromMaterializer((mat, attrs) -> {
      var signal = new java.util.concurrent.atomic.AtomicReference<CompletableFuture<Long>>(new CompletableFuture<>());
      Runnable off = local.listen(id, gen -> signal.get().complete(gen));
      return org.apache.pekko.stream.javadsl.Source.repeat(Done.getInstance())
          .mapAsync(1, x -> nextWake(id, worker, signal))
          .watchTermination((m, done) -> {
            done.whenComplete((d, err) -> off.run());
            return org.apache.pekko.NotUsed.getInstance();
          });
    }).mapMaterializedValue(f -> org.apache.pekko.NotUsed.getInstance());
  }

  /** Claims the next wake; with nothing to claim, waits for the subscription's next wake (or re-looks after a while). */
  private CompletionStage<Wake> nextWake(String id, String worker,
                                         java.util.concurrent.atomic.AtomicReference<CompletableFuture<Long>> signal) {
    // Listen before looking, so a wake that starts between the claim and the wait is not missed.
    var next = new CompletableFuture<Long>();
    signal.set(next);
    return claimAs(id, worker).thenCompose(r -> {
      if (r.status() == 200) {
        try {
          return CompletableFuture.completedFuture(new Wake(this, id, Json.MAPPER.readTree(r.body())));
        } catch (Exception e) {
          return CompletableFuture.failedFuture(e);
        }
      }
      var e = SubscriptionException.of(r);
      if (r.status() != 409) return CompletableFuture.failedFuture(e);
      return next.completeOnTimeout(0L, 5, java.util.concurrent.TimeUnit.SECONDS).thenCompose(gen -> gen < 0
          ? CompletableFuture.failedFuture(new SubscriptionException(404, "SUBSCRIPTION_NOT_FOUND", "subscription deleted"))
          : nextWake(id, worker, signal));
    });
  }

  private CompletionStage<Reply> claimAs(String id, String worker) {
    return ask(id, r -> new SubscriptionEntity.Claim(worker, r));
  }

  /** For errors before any entity answers. */
  public static Reply error(int status, String code, String message) {
    return new Reply(status, Json.error(code, message));
  }
}
