package dev.sluice.replication.node;

import dev.sluice.replication.ReplicaStore;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.Props;

/**
 * Replication on one storage node: its {@link ReplicaNode} (every stream's replica here), one
 * {@link Batcher} per peer, and a factory for the owner's {@link WriterDriver}s. Thread-safe.
 *
 * <p>Addressing: {@code Address.replica(i)} is node i's ReplicaNode at the well-known path
 * {@code pekko://<system>@<nodes[i]>/system/<replica-actor-name>}, resolved once at start without any
 * round trip. Why a fixed path and not the Receptionist: the replica set is static configuration with
 * stable ordinals, not cluster membership (docs/replication-wiring.md); the Receptionist would make
 * routing depend on gossip convergence and drop a node's entry exactly when it is unreachable, while
 * the protocol wants to keep addressing it (messages are dropped, the writer re-sends). It also works
 * with {@code provider = remote}, before any cluster has formed.
 */
public final class ReplicationNode {
  private final ActorSystem<?> system;
  private final ReplicationSettings settings;
  private final Transport transport;
  private final ActorRef<ReplicaNode.Command> replica;
  private final ReplicationMetrics metrics;
  private final AtomicLong writers = new AtomicLong();

  private ReplicationNode(ActorSystem<?> system, ReplicationSettings settings, Transport transport, ActorRef<ReplicaNode.Command> replica,
                          ReplicationMetrics metrics) {
    this.system = system;
    this.settings = settings;
    this.transport = transport;
    this.replica = replica;
    this.metrics = metrics;
  }

  /**
   * Starts this node's replica over {@code store} and the outbound batchers to its peers. Call once per
   * actor system; every storage node must run it (with the same {@code nodes} list).
   */
  public static ReplicationNode start(ActorSystem<?> system, ReplicationSettings settings, ReplicaStore store) {
    ActorRefResolver resolver = ActorRefResolver.get(system);
    List<ActorRef<Batcher.Command>> outboxes = new ArrayList<>();
    for (int i = 0; i < settings.nodes().size(); i++) {
      if (i == settings.ordinal()) {
        outboxes.add(null);
        continue;
      }
      ActorRef<ReplicaNode.Command> peer = resolver.resolveActorRef(settings.replicaPath(system.name(), i));
      outboxes.add(system.systemActorOf(Batcher.create(settings.ordinal(), peer, settings.transport()), "sluice-replication-out-" + i, Props.empty()));
    }
    Transport transport = new Transport(settings.ordinal(), null, Collections.unmodifiableList(outboxes));
    ReplicationMetrics metrics = new ReplicationMetrics();
    ActorRef<ReplicaNode.Command> replica = system.systemActorOf(ReplicaNode.create(settings, store, transport, metrics),
        settings.replicaActorName(), DispatcherSelector.fromConfig("sluice.replication.replica-dispatcher"));
    return new ReplicationNode(system, settings, transport.withLocalReplica(replica), replica, metrics);
  }

  /**
   * Becomes the owner of {@code stream} on this node: fences the other writers, recovers and then
   * serves appends. See {@link WriterDriver}.
   */
  public WriterDriver openWriter(String stream) {
    return openWriter(stream, "asked to open it");
  }

  /**
   * As {@link #openWriter(String)}; {@code reason} says why this node takes the stream over (it is
   * logged with the fence, so an operator can tell a failover from an idle writer's re-open).
   */
  public WriterDriver openWriter(String stream, String reason) {
    return WriterDriver.start(stream, reason, settings, transport, replica, metrics,
        behavior -> system.systemActorOf(behavior, "sluice-writer-" + writers.incrementAndGet(), Props.empty()));
  }

  /** This node's replication counters and live writers (read-only; metrics and the admin endpoint). */
  public ReplicationMetrics metrics() {
    return metrics;
  }

  /** The replica set: the Artery endpoints ("host:port") of the storage nodes, by ordinal. */
  public java.util.List<String> nodes() {
    return settings.nodes();
  }

  public int ordinal() {
    return settings.ordinal();
  }

  public ActorRef<ReplicaNode.Command> replicaNode() {
    return replica;
  }
}
