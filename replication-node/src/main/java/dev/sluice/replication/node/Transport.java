package dev.sluice.replication.node;

import dev.sluice.replication.node.Wire.ToReplicaItem;
import dev.sluice.replication.node.Wire.ToWriterItem;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Where a protocol address leads on this node: {@code Address.replica(i)} to node i's ReplicaNode
 * (this node's directly, a peer's through the {@link Batcher} for that node), a writer's answer to its
 * actor (directly when local, else through the batcher for the writer's node, whose ReplicaNode hands
 * it on). Immutable, thread-safe: the ReplicaNode and every WriterDriver of the node share one.
 */
final class Transport {
  private final int self;
  private final ActorRef<ReplicaNode.Command> localReplica;
  /** Index = node ordinal; null at {@code self}. */
  private final List<ActorRef<Batcher.Command>> outboxes;

  Transport(int self, ActorRef<ReplicaNode.Command> localReplica, List<ActorRef<Batcher.Command>> outboxes) {
    this.self = self;
    this.localReplica = localReplica;
    this.outboxes = outboxes;
  }

  int self() {
    return self;
  }

  Transport withLocalReplica(ActorRef<ReplicaNode.Command> replica) {
    return new Transport(self, replica, outboxes);
  }

  void toReplica(int node, ToReplicaItem item) {
    if (node == self) localReplica.tell(item);
    else outboxes.get(node).tell(new Batcher.Enqueue(item));
  }

  void toWriter(int node, ToWriterItem item) {
    if (node == self) item.to().tell(item);
    else outboxes.get(node).tell(new Batcher.Enqueue(item));
  }
}
