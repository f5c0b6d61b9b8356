package dev.sluice.persistence.replicated;

import com.typesafe.config.Config;
import dev.sluice.persistence.rocksdb.RocksDbReplicaStore;
import dev.sluice.persistence.rocksdb.RocksDbStorage;
import dev.sluice.persistence.store.JournalStore;
import dev.sluice.replication.node.ReplicationNode;
import dev.sluice.replication.node.ReplicationSettings;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;
import org.apache.pekko.actor.ExtensionId;
import org.apache.pekko.actor.ExtensionIdProvider;
import org.apache.pekko.actor.typed.javadsl.Adapter;

/**
 * This node's part of the replica set: its {@link ReplicationNode} (the replica every writer of the set
 * sends to, and the factory of this node's writers) over the node's RocksDB replica storage. A Pekko
 * extension, so there is one per ActorSystem.
 *
 * <p>With {@code sluice.replication.enabled = on} the node starts when the extension is first asked
 * for, from {@code sluice.replication} ({@link ReplicationSettings#fromConfig}) and
 * {@code sluice.replication.joining-existing-set}. Every storage node must start it at boot, not only
 * when an entity first persists: its replica serves the other nodes' writers (the server does
 * {@code Replication.get(system)} at start). With it off, {@link #start} starts it with explicit
 * settings (tests that bind Artery to port 0 and learn the node list afterwards).
 *
 * <p>Nothing to stop: the node's actors are system actors, stopped with the ActorSystem, before
 * {@link RocksDbStorage} closes the database.
 *
 * <p>Thread-safe.
 */
public final class Replication implements Extension {

  /** The extension id; use {@link #get} instead of this directly. */
  public static final class Id extends AbstractExtensionId<Replication> implements ExtensionIdProvider {
    public static final Id INSTANCE = new Id();

    private Id() {}

    @Override
    public ExtensionId<Replication> lookup() {
      return INSTANCE;
    }

    @Override
    public Replication createExtension(ExtendedActorSystem system) {
      Replication r = new Replication(system);
      Config config = system.settings().config();
      if (config.getBoolean("sluice.replication.enabled")) {
        r.start(ReplicationSettings.fromConfig(config));
      }
      return r;
    }
  }

  private final ExtendedActorSystem system;
  /** Guarded by {@code this}; null until started. */
  private ReplicationNode node;
  private RocksDbReplicaStore replicaStore;

  private Replication(ExtendedActorSystem system) {
    this.system = system;
  }

  public static Replication get(ActorSystem system) {
    return Id.INSTANCE.get(system);
  }

  public static Replication get(org.apache.pekko.actor.typed.ActorSystem<?> system) {
    return get(Adapter.toClassic(system));
  }

  /**
   * Starts this node as replica {@code settings.ordinal()} over the node's RocksDB. The first start on
   * a disk records its membership: a replacement if {@code sluice.replication.joining-existing-set}
   * (the set already ran without this disk), else a founding member (see
   * {@link RocksDbStorage#replicaStore}).
   *
   * @throws IllegalStateException if already started
   */
  public synchronized ReplicationNode start(ReplicationSettings settings) {
    if (node != null) {
      throw new IllegalStateException("replication already runs on this node as replica " + node.ordinal());
    }
    boolean joining = system.settings().config().getBoolean("sluice.replication.joining-existing-set");
    replicaStore = RocksDbStorage.get(system).replicaStore(settings.ordinal(), joining);
    node = ReplicationNode.start(Adapter.toTyped(system), settings, replicaStore);
    system.log().info("Replication started: replica {} of {} (disk {}, replaced disk: {})",
        settings.ordinal(), settings.nodes(), replicaStore.diskUuid(), replicaStore.diskReplaced());
    return node;
  }

  /** Whether this node runs replication. */
  public synchronized boolean started() {
    return node != null;
  }

  /** @throws IllegalStateException if replication does not run on this node */
  public synchronized ReplicationNode node() {
    if (node == null) {
      throw new IllegalStateException("replication is not running on this node: set sluice.replication.enabled = on"
          + " (with sluice.replication.nodes and node-ordinal) to use the replicated journal");
    }
    return node;
  }

  /** @throws IllegalStateException if replication does not run on this node */
  public synchronized RocksDbReplicaStore replicaStore() {
    node();
    return replicaStore;
  }

  /**
   * A replicated journal store on this node (the journal plugin makes one; tests may make several, each
   * an independent set of writers). Reads run on {@code ioExecutor}, which must allow blocking.
   * {@link ReplicatedJournalStore#close()} stops its writers.
   */
  public ReplicatedJournalStore journalStore(ReplicatedJournalSettings settings, Executor ioExecutor) {
    JournalStore local = RocksDbStorage.get(system).journalStore(ioExecutor);
    return new ReplicatedJournalStore(Adapter.toTyped(system), node(), replicaStore(), local, settings, ioExecutor);
  }
}
