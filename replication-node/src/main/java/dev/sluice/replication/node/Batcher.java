package dev.sluice.replication.node;

import dev.sluice.replication.node.Wire.Batch;
import dev.sluice.replication.node.Wire.Chunk;
import dev.sluice.replication.node.Wire.Delivered;
import dev.sluice.replication.node.Wire.Item;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;

/**
 * The outbound queue to ONE peer node, for the messages of every stream (one per destination).
 *
 * <p>Adaptive group send, no timer: with nothing in flight a message leaves at once, alone; while a
 * batch is in flight, whatever is enqueued waits and goes as the next batch the moment the peer
 * answers {@link Delivered} (docs/replication-research.md §3.2 "Group commit": the rule classic
 * {@code persistAsync} follows). Under load a batch carries everything that queued during one round
 * trip, so a thousand concurrent appends cost a handful of Artery messages, and an idle link adds no
 * latency.
 *
 * <p>Size: a batch stays under {@code max-batch-bytes}; one item larger than that goes alone, and a
 * batch above {@code chunk-threshold} (a big entry or a recovery re-stamp, which must stay one protocol
 * message) is serialized here and sent as chunks under Artery's 256 KiB frame; the peer reassembles it.
 *
 * <p>Losses: a batch unanswered for {@code ack-timeout} counts as lost and the next one goes out;
 * Artery is at-most-once anyway and the protocol re-sends. While a peer is down the queue is bounded by
 * {@code max-queued-bytes}, oldest first out (every message is idempotent and superseded by re-sends).
 *
 * <pre>
 *   IDLE --enqueue--> IN_FLIGHT(id) --Delivered(id) or ack-timeout--> IDLE, or IN_FLIGHT(next) if queued
 * </pre>
 */
public final class Batcher extends AbstractBehavior<Batcher.Command> {
  public sealed interface Command permits Enqueue, AckTimeout, Delivered {}

  /** Send {@code item} to the peer. Local only: it never leaves this node as such. */
  public record Enqueue(Item item) implements Command, NoSerializationVerificationNeeded {}

  enum AckTimeout implements Command, NoSerializationVerificationNeeded { INSTANCE }

  private record Queued(Item item, long bytes) {}

  private final int selfNode;
  private final ActorRef<ReplicaNode.Command> peer;
  private final ReplicationSettings.Transport settings;
  private final TimerScheduler<Command> timers;
  private final ArrayDeque<Queued> queue = new ArrayDeque<>();
  private long queuedBytes;
  private long inFlight = -1;
  private long nextId;
  private long dropped;

  private Batcher(ActorContext<Command> ctx, TimerScheduler<Command> timers, int selfNode, ActorRef<ReplicaNode.Command> peer,
                  ReplicationSettings.Transport settings) {
    super(ctx);
    this.timers = timers;
    this.selfNode = selfNode;
    this.peer = peer;
    this.settings = settings;
  }

  /** A batcher on node {@code selfNode} for the ReplicaNode {@code peer} of another node. */
  public static Behavior<Command> create(int selfNode, ActorRef<ReplicaNode.Command> peer, ReplicationSettings.Transport settings) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new Batcher(ctx, timers, selfNode, peer, settings)));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Enqueue.class, this::onEnqueue)
        .onMessage(Delivered.class, this::onDelivered)
        .onMessageEquals(AckTimeout.INSTANCE, this::onAckTimeout)
        .build();
  }

  private Behavior<Command> onEnqueue(Enqueue e) {
    long bytes = Wire.estimate(e.item());
    queue.addLast(new Queued(e.item(), bytes));
    queuedBytes += bytes;
    while (queuedBytes > settings.maxQueuedBytes() && queue.size() > 1) {
      queuedBytes -= queue.pollFirst().bytes();
      if (dropped++ % 1000 == 0) getContext().getLog().warn("replication queue to {} is full: dropped {} messages so far", peer.path().address(), dropped);
    }
    flush();
    return this;
  }

  private Behavior<Command> onDelivered(Delivered d) {
    if (d.id() != inFlight) return this; // a late answer to a batch already taken as lost
    inFlight = -1;
    timers.cancel(AckTimeout.INSTANCE);
    flush();
    return this;
  }

  private Behavior<Command> onAckTimeout() {
    getContext().getLog().debug("batch {} to {} unanswered for {}; sending on", inFlight, peer.path().address(), settings.ackTimeout());
    inFlight = -1;
    flush();
    return this;
  }

  private void flush() {
    if (inFlight >= 0 || queue.isEmpty()) return;
    List<Item> items = new ArrayList<>();
    long bytes = 0;
    while (!queue.isEmpty() && items.size() < settings.maxBatchMessages()) {
      Queued q = queue.peekFirst();
      if (!items.isEmpty() && bytes + q.bytes() > settings.maxBatchBytes()) break;
      queue.pollFirst();
      queuedBytes -= q.bytes();
      items.add(q.item());
      bytes += q.bytes();
    }
    Batch batch = new Batch(selfNode, ++nextId, getContext().getSelf(), items);
    if (bytes > settings.chunkThreshold()) sendChunked(batch);
    else peer.tell(batch);
    inFlight = batch.id();
    timers.startSingleTimer(AckTimeout.INSTANCE, AckTimeout.INSTANCE, settings.ackTimeout());
  }

  private void sendChunked(Batch batch) {
    Serialization serialization = SerializationExtension.get(Adapter.toClassic(getContext().getSystem()));
    Serializer serializer = serialization.findSerializerFor(batch);
    // serialize() writes actor refs with this node's remote address, as Artery would.
    byte[] bytes = serialization.serialize(batch).get();
    String manifest = Serializers.manifestFor(serializer, batch);
    int size = settings.chunkBytes();
    int count = (bytes.length + size - 1) / size;
    for (int i = 0; i < count; i++) {
      byte[] part = Arrays.copyOfRange(bytes, i * size, Math.min(bytes.length, (i + 1) * size));
      peer.tell(new Chunk(selfNode, batch.id(), i, count, serializer.identifier(), manifest, part, getContext().getSelf()));
    }
  }
}
