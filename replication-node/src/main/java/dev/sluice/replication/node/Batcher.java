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
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;

/**
 * The outbound queue to ONE peer node, for the messages of every stream (one per destination).
 *
 * <p>Group send without a timer: an enqueue schedules a {@code Flush} to this actor's own mailbox,
 * so everything enqueued before the flush runs (the burst of one dispatcher turn) leaves as one
 * batch, and an idle link adds no latency (the flush runs in the same mailbox run as the enqueue).
 *
 * <p>Flow control by a window of unacknowledged bytes ({@code window-bytes}): batches go out while
 * less than the window is unacknowledged. The peer acknowledges cumulatively and lazily
 * ({@link Delivered} of the last batch it took, see {@link AckLedger}): at once when half a window
 * arrived since its last acknowledgement, otherwise on its {@code ack-interval} tick. Until
 * 2026-12-02 every batch was answered at once and only one batch was in flight: at low load that
 * doubled the Artery messages between storage nodes (each {@code Append}, ack and {@code Commit}
 * crossing had a {@code Delivered} behind it; docs/replication-wiring.md "Dispatchers").
 *
 * <p>Size: a batch stays under {@code max-batch-bytes}; one item larger than that goes alone, and a
 * batch above {@code chunk-threshold} (a big entry or a recovery re-stamp, which must stay one protocol
 * message) is serialized here and sent as chunks under Artery's 256 KiB frame; the peer reassembles it.
 *
 * <p>Losses: when the oldest unacknowledged batch is older than {@code ack-timeout}, everything
 * unacknowledged counts as lost and the window opens again; Artery is at-most-once anyway and the
 * protocol re-sends. While a peer is down the window stays full and the queue is bounded by
 * {@code max-queued-bytes}, oldest first out (every message is idempotent and superseded by re-sends).
 */
public final class Batcher extends AbstractBehavior<Batcher.Command> {
  public sealed interface Command permits Enqueue, Flush, AckCheck, Delivered {}

  /** Send {@code item} to the peer. Local only: it never leaves this node as such. */
  public record Enqueue(Item item) implements Command, NoSerializationVerificationNeeded {}

  enum Flush implements Command, NoSerializationVerificationNeeded { INSTANCE }

  enum AckCheck implements Command, NoSerializationVerificationNeeded { INSTANCE }

  private record Queued(Item item, long bytes) {}

  private record Sent(long id, long bytes, long atNanos) {}

  private final int selfNode;
  private final ActorRef<ReplicaNode.Command> peer;
  private final ReplicationSettings.Transport settings;
  private final ArrayDeque<Queued> queue = new ArrayDeque<>();
  private long queuedBytes;
  private final ArrayDeque<Sent> unacked = new ArrayDeque<>();
  private long unackedBytes;
  private boolean flushScheduled;
  private long nextId;
  private long dropped;
  private long lost;

  private Batcher(ActorContext<Command> ctx, int selfNode, ActorRef<ReplicaNode.Command> peer,
                  ReplicationSettings.Transport settings) {
    super(ctx);
    this.selfNode = selfNode;
    this.peer = peer;
    this.settings = settings;
  }

  /** A batcher on node {@code selfNode} for the ReplicaNode {@code peer} of another node. */
  public static Behavior<Command> create(int selfNode, ActorRef<ReplicaNode.Command> peer, ReplicationSettings.Transport settings) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      // A quarter of the timeout: a lost batch is noticed between 1 and 1.25 ack-timeouts after it left.
      timers.startTimerWithFixedDelay(AckCheck.INSTANCE, AckCheck.INSTANCE, settings.ackTimeout().dividedBy(4));
      return new Batcher(ctx, selfNode, peer, settings);
    }));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Enqueue.class, this::onEnqueue)
        .onMessage(Delivered.class, this::onDelivered)
        .onMessageEquals(Flush.INSTANCE, this::onFlush)
        .onMessageEquals(AckCheck.INSTANCE, this::onAckCheck)
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
    if (!flushScheduled) {
      flushScheduled = true;
      getContext().getSelf().tell(Flush.INSTANCE);
    }
    return this;
  }

  private Behavior<Command> onFlush() {
    flushScheduled = false;
    flush();
    return this;
  }

  private Behavior<Command> onDelivered(Delivered d) {
    // Cumulative: the peer took every batch up to d.id (an id from an earlier incarnation of this
    // batcher only frees the window early, which the ack-timeout would have done anyway).
    while (!unacked.isEmpty() && unacked.peekFirst().id() <= d.id()) unackedBytes -= unacked.pollFirst().bytes();
    flush();
    return this;
  }

  private Behavior<Command> onAckCheck() {
    Sent oldest = unacked.peekFirst();
    if (oldest != null && System.nanoTime() - oldest.atNanos() > settings.ackTimeout().toNanos()) {
      lost += unacked.size();
      getContext().getLog().debug("{} batches to {} unacknowledged for {} (the oldest {}); taken as lost, {} so far",
          unacked.size(), peer.path().address(), settings.ackTimeout(), oldest.id(), lost);
      unacked.clear();
      unackedBytes = 0;
      flush();
    }
    return this;
  }

  private void flush() {
    while (!queue.isEmpty() && unackedBytes < settings.windowBytes()) {
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
      unacked.addLast(new Sent(batch.id(), bytes, System.nanoTime()));
      unackedBytes += bytes;
    }
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
