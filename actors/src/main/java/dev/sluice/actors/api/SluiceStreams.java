package dev.sluice.actors.api;

import dev.sluice.actors.stream.StreamEntity;
import dev.sluice.actors.tail.TailHub;
import dev.sluice.actors.tail.TailRelay;
import dev.sluice.core.Bytes;
import dev.sluice.core.protocol.ProducerClaim;
import dev.sluice.core.rules.Commands;
import dev.sluice.core.rules.Payloads;
import dev.sluice.core.spi.StreamDataStore;
import java.time.InstantSource;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.stream.javadsl.Source;

/**
 * The embedding API: Sluice's streams inside an application's own {@link ActorSystem}, without
 * HTTP. {@link #start} registers the sharded stream entity and a {@link CoordinatedShutdown} task
 * that releases live readers when the system shuts down; the methods below are the protocol's
 * operations as futures, and {@link #tail} is a live {@link Source}.
 *
 * <p>The system must be a cluster node (it may be a single self-joined node) whose persistence
 * plugins are Sluice's RocksDB journal and snapshot store, and {@code store} the read side of that
 * same storage (see the README, "Embedding"). Thread-safe.
 */
public final class SluiceStreams {
  private final StreamGateway gateway;
  private final TailHub hub;

  private SluiceStreams(StreamGateway gateway, TailHub hub) {
    this.gateway = gateway;
    this.hub = hub;
  }

  public static SluiceStreams start(ActorSystem<?> system, StreamDataStore store) {
    return start(system, store, ActorsSettings.fromConfig(system.settings().config()), InstantSource.system());
  }

  /**
   * @throws IllegalStateException if the system is configured to join other nodes: streams are
   *     not replicated yet, so Sluice runs on single-node clusters only (see {@link SingleNodeGuard})
   */
  public static SluiceStreams start(ActorSystem<?> system, StreamDataStore store, ActorsSettings settings, InstantSource clock) {
    if (settings.singleNodeGuard()) {
      SingleNodeGuard.checkConfig(system);
      system.systemActorOf(SingleNodeGuard.behavior(), "sluice-single-node-guard", Props.empty());
    }
    var sharding = ClusterSharding.get(system);
    var hub = new TailHub();
    Executor blockingIo = system.dispatchers().lookup(DispatcherSelector.fromConfig(settings.blockingIoDispatcher()));
    var deps = new StreamEntity.Deps(sharding, hub, store, blockingIo, clock, settings.askTimeout(), settings.snapshotEvery());
    sharding.init(Entity.of(StreamEntity.TYPE_KEY, ctx -> StreamEntity.create(ctx.getEntityId(), deps))
        .withStopMessage(StreamEntity.Passivate.INSTANCE));
    var relay = system.systemActorOf(TailRelay.create(hub), "sluice-tail-relay", Props.empty());
    var gateway = new ShardedStreamGateway(sharding, hub, new StreamReader(store), blockingIo, settings.askTimeout(), relay);
    // On shutdown, release live readers first: tails complete (instead of failing when the system
    // stops under them) and a long-poll whose client left does not hold the shutdown until its timeout.
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseServiceUnbind(), "sluice-release-live-readers", () -> {
      hub.shutdown();
      return CompletableFuture.completedFuture(Done.getInstance());
    });
    return new SluiceStreams(gateway, hub);
  }

  /** The full operation set, as used by the HTTP routes. */
  public StreamGateway gateway() {
    return gateway;
  }

  public TailHub hub() {
    return hub;
  }

  /** Creates (or idempotently re-creates) an open stream with no expiry. */
  public CompletionStage<Commands.CreateResult> create(String path, String contentType) {
    return gateway.create(path, new Commands.Create(contentType, null, null, false, Bytes.EMPTY, null));
  }

  /** Appends one unit (JSON content is validated and flattened like an HTTP POST). */
  public CompletionStage<Commands.AppendResult> append(String path, String contentType, Bytes data) {
    return gateway.append(path, new Commands.Append(contentType, Payloads.forContentType(contentType, data), false, null, null));
  }

  /** Appends with idempotent-producer semantics: a retry of the same (id, epoch, seq) is deduplicated. */
  public CompletionStage<Commands.AppendResult> append(String path, String contentType, Bytes data, ProducerClaim producer) {
    return gateway.append(path, new Commands.Append(contentType, Payloads.forContentType(contentType, data), false, null, producer));
  }

  public CompletionStage<Commands.AppendResult> close(String path) {
    return gateway.append(path, new Commands.Append(null, dev.sluice.core.rules.Payload.EMPTY, true, null, null));
  }

  public CompletionStage<Done> delete(String path) {
    return gateway.delete(path);
  }

  /** Forks {@code source} at {@code offset} (null = its tail) into {@code path}. */
  public CompletionStage<Commands.CreateResult> fork(String path, String source, dev.sluice.core.protocol.Offset offset) {
    return gateway.create(path, new Commands.Create(null, null, null, false, Bytes.EMPTY, new Commands.ForkRequest(source, offset, 0)));
  }

  /** Reads committed data from {@code fromPos}, at most about {@code maxBytes}. */
  public CompletionStage<ReadChunk> read(String path, long fromPos, int maxBytes) {
    return gateway.view(path, true).thenCompose(v -> gateway.read(v, fromPos, maxBytes));
  }

  /** {@link #tail(String, long, TailOptions)} with {@link TailOptions#DEFAULTS}. */
  public Source<ReadChunk, NotUsed> tail(String path, long fromPos) {
    return tail(path, fromPos, TailOptions.DEFAULTS);
  }

  /**
   * A live tail from {@code fromPos}: data chunks as they commit, empty "caught up" chunks
   * between them (at once, then after each {@link TailOptions#keepAlive} without data), completing
   * after the stream is closed and fully read, after {@link TailOptions#maxDuration}, or when the
   * node shuts down. Fails with {@link StreamRejectedException} if the stream does not exist or is
   * deleted.
   */
  public Source<ReadChunk, NotUsed> tail(String path, long fromPos, TailOptions options) {
    return Source.completionStage(gateway.view(path, true))
        .flatMapConcat(v -> gateway.tail(path, v, fromPos, options.keepAlive(), options.maxDuration(), options.maxChunkBytes()));
  }
}
