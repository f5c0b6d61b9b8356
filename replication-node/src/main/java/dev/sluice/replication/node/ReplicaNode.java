package dev.sluice.replication.node;

import dev.sluice.replication.Address;
import dev.sluice.replication.Bugs;
import dev.sluice.replication.Epoch;
import dev.sluice.replication.Message;
import dev.sluice.replication.ReplicaState;
import dev.sluice.replication.ReplicaStore;
import dev.sluice.replication.node.StreamPipeline.Outgoing;
import dev.sluice.replication.node.StreamPipeline.PersistCall;
import dev.sluice.replication.node.Wire.Batch;
import dev.sluice.replication.node.Wire.Chunk;
import dev.sluice.replication.node.Wire.Delivered;
import dev.sluice.replication.node.Wire.Item;
import dev.sluice.replication.node.Wire.ToReplicaItem;
import dev.sluice.replication.node.Wire.ToWriterItem;
import java.io.ByteArrayOutputStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.serialization.SerializationExtension;

/**
 * The replica of every stream on this node: the thin actor around {@link dev.sluice.replication.Replica}.
 * One per node, at {@code /system/<replica-actor-name>}.
 *
 * <p>Per stream it keeps a {@link StreamPipeline} (loaded from the {@link ReplicaStore} on first use,
 * evicted when idle), runs each message through it, hands the store one persist at a time per stream
 * (the result comes back through {@code pipeToSelf}; the actor never waits), and sends a stream's
 * replies only after every earlier persist OF THAT STREAM landed. Streams do not wait for each other.
 *
 * <p>A failed persist has an unknown outcome: the stream's in-memory state and every reply waiting on
 * it are dropped, and the next message reloads the stream from the store. Nothing is lost that was
 * promised: unsent replies promised nothing, and the writer re-sends.
 *
 * <p>Inbound from peers: {@link Batch}es (acknowledged with {@link Delivered}, cumulatively and
 * lazily, see {@link AckLedger}; that opens the sender's {@link Batcher} window) and {@link Chunk}s of
 * large batches, reassembled here.
 */
public final class ReplicaNode extends AbstractBehavior<ReplicaNode.Command> {
  public sealed interface Command permits ToReplicaItem, Batch, Chunk, Persisted, ReadPromise, LimboTick, Sweep, AckTick {}

  /**
   * The highest epoch this node's replica promised for {@code stream}, answered as
   * {@link WriterDriver.LocalPromise}: a new owner starts fencing above it instead of learning it from a
   * rejection. Local only.
   */
  public record ReadPromise(String stream, ActorRef<WriterDriver.Command> replyTo) implements Command, NoSerializationVerificationNeeded {}

  /** A store call of {@code pipeline} completed ({@code failure} null) or failed. */
  private record Persisted(StreamPipeline pipeline, Throwable failure) implements Command, NoSerializationVerificationNeeded {}

  private enum LimboTick implements Command, NoSerializationVerificationNeeded { INSTANCE }

  private enum Sweep implements Command, NoSerializationVerificationNeeded { INSTANCE }

  private enum AckTick implements Command, NoSerializationVerificationNeeded { INSTANCE }

  /** A large batch from one peer being put back together. */
  private static final class Reassembly {
    final long id;
    final int count;
    int next;
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    Reassembly(long id, int count) {
      this.id = id;
      this.count = count;
    }
  }

  private final ReplicaStore store;
  private final Transport transport;
  private final ReplicationMetrics metrics;
  private final Address self;
  private final Map<String, StreamPipeline> streams = new HashMap<>();
  private final Map<Integer, Reassembly> reassembly = new HashMap<>();
  private final AckLedger acks;
  private final boolean unsyncedCommits;

  private ReplicaNode(ActorContext<Command> ctx, ReplicaStore store, Transport transport, ReplicationMetrics metrics, long windowBytes, boolean unsyncedCommits) {
    super(ctx);
    this.acks = new AckLedger(windowBytes);
    this.unsyncedCommits = unsyncedCommits;
    this.store = store;
    this.transport = transport;
    this.metrics = metrics;
    this.self = Address.replica(transport.self());
  }

  /**
   * The node's replica over {@code store}; {@code outboxes} reach the other nodes (see {@link Transport}).
   * Spawn it with the {@code sluice.replication.replica-dispatcher} (the store reads are synchronous).
   */
  static Behavior<Command> create(ReplicationSettings settings, ReplicaStore store, Transport outboxes) {
    return create(settings, store, outboxes, new ReplicationMetrics());
  }

  /** As above; {@code metrics} learns how many of this node's streams are in limbo. */
  static Behavior<Command> create(ReplicationSettings settings, ReplicaStore store, Transport outboxes, ReplicationMetrics metrics) {
    if (store.replica() != settings.ordinal()) {
      throw new IllegalArgumentException("store belongs to replica " + store.replica() + " but sluice.replication.node-ordinal is " + settings.ordinal());
    }
    Behavior<Command> node = Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay(LimboTick.INSTANCE, LimboTick.INSTANCE, settings.limboTick());
      timers.startTimerWithFixedDelay(Sweep.INSTANCE, Sweep.INSTANCE, settings.idleSweep());
      timers.startTimerWithFixedDelay(AckTick.INSTANCE, AckTick.INSTANCE, settings.transport().ackInterval());
      return new ReplicaNode(ctx, store, outboxes.withLocalReplica(ctx.getSelf()), metrics, settings.transport().windowBytes(), settings.unsyncedCommits());
    }));
    // Resume, not restart: a fresh incarnation would forget the persists still in flight and could start
    // a second one for the same stream, which the store contract forbids. Known failures (a step, a
    // load, a persist call, a chunk) are handled in place; this only keeps a bug from stopping the node.
    return Behaviors.supervise(node).onFailure(RuntimeException.class, SupervisorStrategy.resume());
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(ToReplicaItem.class, this::onItem)
        .onMessage(Batch.class, this::onBatch)
        .onMessage(Chunk.class, this::onChunk)
        .onMessage(Persisted.class, this::onPersisted)
        .onMessage(ReadPromise.class, this::onReadPromise)
        .onMessageEquals(LimboTick.INSTANCE, this::onLimboTick)
        .onMessageEquals(Sweep.INSTANCE, this::onSweep)
        .onMessageEquals(AckTick.INSTANCE, this::onAckTick)
        .build();
  }

  private Behavior<Command> onItem(ToReplicaItem item) {
    String stream = item.message().stream();
    StreamPipeline p = pipeline(stream);
    if (p == null) return this;
    List<Outgoing> now;
    boolean wasLimbo = p.limbo();
    try {
      now = p.step(item.from(), item.replyTo(), item.message());
    } catch (RuntimeException e) {
      // A driver or store bug, never a protocol state: start the stream over from what is durable.
      getContext().getLog().error("replica step failed for stream {} on {}; reloading it", stream, item.message(), e);
      streams.remove(stream);
      return this;
    }
    if (wasLimbo && !p.limbo()) {
      ReplicaState m = p.meta();
      getContext().getLog().info("Replica {} of stream {} left limbo: its peers vouched for its log, which now holds entries up to {}"
          + " (written at epoch {}, committed {}); it votes again", transport.self(), stream, m.tailSeq(), Epoch.show(m.tailEpoch()), m.lac());
    }
    deliver(now);
    issue(p);
    return this;
  }

  private Behavior<Command> onBatch(Batch b) {
    long bytes = 0;
    for (Item i : b.items()) bytes += Wire.estimate(i);
    AckLedger.Ack now = acks.took(b.fromNode(), b.ackTo(), b.id(), bytes);
    if (now != null) now.to().tell(now.delivered());
    for (Item i : b.items()) {
      if (i instanceof ToReplicaItem r) onItem(r);
      else if (i instanceof ToWriterItem w) w.to().tell(w);
    }
    return this;
  }

  private Behavior<Command> onChunk(Chunk c) {
    Reassembly r = reassembly.get(c.fromNode());
    if (r == null || r.id != c.id()) {
      // A newer batch started: the partial one lost a chunk (its sender already gave up on it).
      if (c.index() != 0) return this;
      r = new Reassembly(c.id(), c.count());
      reassembly.put(c.fromNode(), r);
    }
    if (c.index() != r.next) {
      reassembly.remove(c.fromNode());
      return this;
    }
    r.bytes.writeBytes(c.bytes());
    r.next++;
    if (r.next < r.count) return this;
    reassembly.remove(c.fromNode());
    scala.util.Try<Object> whole = SerializationExtension.get(Adapter.toClassic(getContext().getSystem()))
        .deserialize(r.bytes.toByteArray(), c.serializerId(), c.manifest());
    if (whole.isFailure() || !(whole.get() instanceof Batch b)) {
      // Like an undecodable Artery message: dropped (the sender's ack timeout moves it on).
      getContext().getLog().warn("dropping undecodable chunked batch {} from node {}", c.id(), c.fromNode(), whole.isFailure() ? whole.failed().get() : null);
      return this;
    }
    return onBatch(b);
  }

  private Behavior<Command> onPersisted(Persisted done) {
    StreamPipeline p = done.pipeline();
    if (streams.get(p.stream()) != p) return this; // that incarnation was already dropped
    if (done.failure() != null) {
      getContext().getLog().warn("persist failed for stream {}; dropping its unsent replies and reloading it from the store", p.stream(), done.failure());
      streams.remove(p.stream());
      return this;
    }
    deliver(p.landed());
    issue(p);
    return this;
  }

  private Behavior<Command> onReadPromise(ReadPromise q) {
    StreamPipeline p = pipeline(q.stream());
    q.replyTo().tell(new WriterDriver.LocalPromise(p == null ? 0 : p.meta().promised()));
    return this;
  }

  private Behavior<Command> onLimboTick() {
    int inLimbo = 0;
    for (StreamPipeline p : List.copyOf(streams.values())) {
      if (p.limbo()) {
        onItem(new ToReplicaItem(self, null, new Message.Tick(p.stream())));
        if (p.limbo()) inLimbo++;
      }
    }
    metrics.limboStreams(inLimbo);
    return this;
  }

  private Behavior<Command> onAckTick() {
    for (AckLedger.Ack a : acks.due()) a.to().tell(a.delivered());
    return this;
  }

  private Behavior<Command> onSweep() {
    streams.values().removeIf(p -> !p.touchedSinceLastSweep() && p.idle() && !p.limbo());
    return this;
  }

  /** The stream's pipeline, loaded from the store on first use; null if the store cannot be read. */
  private StreamPipeline pipeline(String stream) {
    StreamPipeline p = streams.get(stream);
    if (p != null) return p;
    try {
      ReplicaState meta = store.meta(stream);
      if (meta == null) {
        meta = store.diskReplaced()
            ? ReplicaState.lostDisk(stream, store.replica(), store.diskUuid(), Bugs.NONE)
            : ReplicaState.empty(stream, store.replica(), store.diskUuid());
      }
      p = new StreamPipeline(stream, meta, store.log(stream));
    } catch (RuntimeException e) {
      getContext().getLog().error("cannot load stream {} from the replica store; dropping the message", stream, e);
      return null;
    }
    if (p.limbo()) {
      getContext().getLog().info("Replica {} of stream {} is in limbo: {}; it does not vote in fences or acknowledgements"
              + " until its peers report their tails and it has caught up to them", transport.self(), stream,
          p.meta().tailSeq() == 0 && p.meta().promised() == Epoch.NONE
              ? "this disk (" + store.diskUuid() + ") replaced one the replica set ran without, so it may have forgotten"
                  + " promises and acknowledgements made for this stream"
              : "it was in limbo when this node last stopped (disk " + store.diskUuid() + ")");
    }
    streams.put(stream, p);
    return p;
  }

  private void issue(StreamPipeline p) {
    PersistCall call = p.nextPersist();
    if (call == null) return;
    CompletionStage<Void> done;
    try {
      done = store.persist(p.stream(), call.meta(), call.change(), call.materialize(), call.sync() || !unsyncedCommits);
    } catch (RuntimeException e) {
      done = CompletableFuture.failedFuture(e);
    }
    getContext().pipeToSelf(done, (ok, failure) -> new Persisted(p, failure));
  }

  private void deliver(List<Outgoing> out) {
    for (Outgoing o : out) {
      Address to = o.to();
      if (to.kind() == Address.Kind.REPLICA && o.message() instanceof Message.ToReplica m) {
        transport.toReplica(to.id(), new ToReplicaItem(self, null, m));
      } else if (to.kind() == Address.Kind.WRITER && o.replyTo() != null && o.message() instanceof Message.ToWriter m) {
        transport.toWriter(to.id(), new ToWriterItem(o.replyTo(), self, m));
      } else {
        getContext().getLog().debug("no route for {} to {}", o.message(), to);
      }
    }
  }
}
