package dev.sluice.replication.node;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
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
 * <p>Why the type annotations: the protocol's records ({@link Message}) have no interface-typed fields
 * and serialize as they are, but these envelopes hold a {@code ToReplica} or {@code ToWriter}, so
 * Jackson must write the concrete record's name beside it ({@code @JsonTypeInfo(use = NAME)}). Names,
 * not class names: a closed list is what Pekko's Jackson serializer allows, and {@code WireTest} checks
 * that the lists below name every permitted subtype of the sealed interfaces.
 */
public final class Wire {
  private Wire() {}

  /** Fixed per-message overhead assumed by {@link #estimate}: stream name, routing, framing. */
  static final int MESSAGE_OVERHEAD_BYTES = 256;

  /** One protocol message in a batch. */
  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "t")
  @JsonSubTypes({
      @JsonSubTypes.Type(value = ToReplicaItem.class, name = "R"),
      @JsonSubTypes.Type(value = ToWriterItem.class, name = "W")})
  public sealed interface Item extends ReplicationSerializable permits ToReplicaItem, ToWriterItem {}

  /**
   * A request for node {@code to}'s replica. {@code from} is the sender's protocol address (a writer
   * or a peer replica); {@code replyTo} is the writer's actor when {@code from} is a writer (the
   * replica answers a writer there), null when a replica sends.
   */
  public record ToReplicaItem(
      Address from,
      ActorRef<WriterDriver.Command> replyTo,
      @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "m")
      @JsonSubTypes({
          @JsonSubTypes.Type(value = Message.Fence.class, name = "Fence"),
          @JsonSubTypes.Type(value = Message.Append.class, name = "Append"),
          @JsonSubTypes.Type(value = Message.Commit.class, name = "Commit"),
          @JsonSubTypes.Type(value = Message.Probe.class, name = "Probe"),
          @JsonSubTypes.Type(value = Message.Read.class, name = "Read"),
          @JsonSubTypes.Type(value = Message.AskTail.class, name = "AskTail"),
          @JsonSubTypes.Type(value = Message.TailInfo.class, name = "TailInfo"),
          @JsonSubTypes.Type(value = Message.Tick.class, name = "Tick")})
      ToReplica message) implements Item, ReplicaNode.Command {}

  /** An answer for the writer actor {@code to}, from replica {@code from}. */
  public record ToWriterItem(
      ActorRef<WriterDriver.Command> to,
      Address from,
      @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "m")
      @JsonSubTypes({
          @JsonSubTypes.Type(value = Message.Promise.class, name = "Promise"),
          @JsonSubTypes.Type(value = Message.Reject.class, name = "Reject"),
          @JsonSubTypes.Type(value = Message.Unknown.class, name = "Unknown"),
          @JsonSubTypes.Type(value = Message.Ack.class, name = "Ack"),
          @JsonSubTypes.Type(value = Message.Fenced.class, name = "Fenced"),
          @JsonSubTypes.Type(value = Message.Gap.class, name = "Gap"),
          @JsonSubTypes.Type(value = Message.ProbeOk.class, name = "ProbeOk"),
          @JsonSubTypes.Type(value = Message.ReadOk.class, name = "ReadOk"),
          @JsonSubTypes.Type(value = Message.ReadUnavailable.class, name = "ReadUnavailable"),
          @JsonSubTypes.Type(value = Message.ClientAppend.class, name = "ClientAppend")})
      ToWriter message) implements Item, WriterDriver.Command {}

  /**
   * Messages of any streams from node {@code fromNode}, in send order. The receiving ReplicaNode
   * answers {@link Delivered} to {@code ackTo} at once, which lets the sender's batcher send the next.
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

  /** The receiving node took batch {@code id} (all chunks of it). */
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
