package dev.sluice.replication.node;

import dev.sluice.replication.Address;
import dev.sluice.replication.Entry;
import dev.sluice.replication.Message;
import dev.sluice.replication.Message.ToReplica;
import dev.sluice.replication.Message.ToWriter;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * What crosses Artery between storage nodes: protocol messages wrapped with their routing, batched per
 * destination node, and chunks of batches too large for one frame.
 *
 * <p>Serialized by {@link WireSerializer} in {@link WireCodec}'s binary format.
 */
public final class Wire {
  private Wire() {}

  /** Fixed per-message overhead assumed by {@link #estimate}: stream name, routing, framing. */
  static final int MESSAGE_OVERHEAD_BYTES = 256;

  /**
   * One protocol message in a batch. Items cross Artery only inside a {@link Batch}, but they are
   * serializable on their own too, so Pekko's {@code serialize-messages} check (on in tests) accepts
   * their local sends.
   */
  public sealed interface Item extends ReplicationSerializable permits ToReplicaItem, ToWriterItem {}

  /**
   * A request for node {@code to}'s replica. {@code from} is the sender's protocol address (a writer
   * or a peer replica); {@code replyTo} is the writer's actor when {@code from} is a writer (the
   * replica answers a writer there), null when a replica sends.
   */
  public record ToReplicaItem(
      Address from,
      ActorRef<WriterDriver.Command> replyTo,
      ToReplica message) implements Item, ReplicaNode.Command {}

  /** An answer for the writer actor {@code to}, from replica {@code from}. */
  public record ToWriterItem(
      ActorRef<WriterDriver.Command> to,
      Address from,
      ToWriter message) implements Item, WriterDriver.Command {}

  /**
   * Messages of any streams from node {@code fromNode}, in send order. The receiving ReplicaNode
   * acknowledges it to {@code ackTo} ({@link Delivered}, cumulative and lazy: {@link AckLedger}),
   * which opens the sender's batcher window.
   */
  public record Batch(int fromNode, long id, ActorRef<Batcher.Command> ackTo, List<Item> items) implements ReplicaNode.Command, ReplicationSerializable {
    public Batch {
      items = List.copyOf(items);
    }
  }

  /**
   * Part {@code index} of {@code count} of a serialized {@link Batch} too large for one Artery frame
   * (one big entry, or a recovery re-stamp, which must stay one message). Chunks of one batch travel in
   * order over one association; the receiver drops a partial batch when a newer one starts.
   */
  public record Chunk(int fromNode, long id, int index, int count, int serializerId, String manifest, byte[] bytes,
                      ActorRef<Batcher.Command> ackTo) implements ReplicaNode.Command, ReplicationSerializable {}

  /** The receiving node took batch {@code id} (all chunks of it) and every earlier batch of the sender. */
  public record Delivered(long id) implements Batcher.Command, ReplicationSerializable {}

  /**
   * Bytes an item adds to a batch, from payload sizes (an overestimate of CBOR's encoding: a byte
   * string costs its length plus a few header bytes).
   */
  static long estimate(Item item) {
    Message m = item instanceof ToReplicaItem r ? r.message() : ((ToWriterItem) item).message();
    List<Entry> entries = List.of();
    if (m instanceof Message.Append a) entries = a.entries();
    else if (m instanceof Message.ReadOk r) entries = r.entries();
    long bytes = MESSAGE_OVERHEAD_BYTES;
    for (Entry e : entries) bytes += e.sizeBytes();
    return bytes;
  }
}
