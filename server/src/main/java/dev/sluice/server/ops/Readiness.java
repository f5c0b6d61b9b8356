package dev.sluice.server.ops;

import com.typesafe.config.Config;
import dev.sluice.cluster.ClusterSettings;
import dev.sluice.persistence.replicated.Replication;
import dev.sluice.persistence.rocksdb.RocksDbStorage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;
import org.apache.pekko.actor.ExtensionId;
import org.apache.pekko.actor.ExtensionIdProvider;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;

/**
 * Whether this node is ready to serve, condition by condition (README "Operating"):
 *
 * <ol>
 *   <li><b>journal open</b>: the node's RocksDB is open (not closed, not reopening after a storage
 *       failure) and, in a replicated cluster, this node's replica runs;
 *   <li><b>member Up</b>: this node is an Up member of its cluster;
 *   <li><b>not shutting down</b>: CoordinatedShutdown has not started;
 *   <li><b>replica quorum</b> (replicated cluster only): 2 of the 3 replica-set nodes, this one
 *       included, are reachable ({@link ReplicaQuorum}).
 * </ol>
 *
 * <p>The readiness checks of pekko-management's {@code GET /ready} ({@link JournalOpenCheck} and the
 * three others) and the HTTP port's {@code GET /health} both answer from here. Every condition is
 * a few volatile reads: no IO, no asks, cheap enough for every probe. A Pekko extension, one per
 * ActorSystem. Thread-safe.
 */
public final class Readiness implements Extension {

  /** The extension id; use {@link #get} instead of this directly. */
  public static final class Id extends AbstractExtensionId<Readiness> implements ExtensionIdProvider {
    public static final Id INSTANCE = new Id();

    private Id() {}

    @Override
    public ExtensionId<Readiness> lookup() {
      return INSTANCE;
    }

    @Override
    public Readiness createExtension(ExtendedActorSystem system) {
      return new Readiness(system);
    }
  }

  /** A readiness check's failure: its message is what /ready shows. */
  public static final class NotReadyException extends RuntimeException {
    public NotReadyException(String reason) {
      super(reason, null, false, false);
    }
  }

  private final ExtendedActorSystem system;
  private final boolean replicated;
  /** The replica set's Artery endpoints (empty on a single node). */
  private final List<String> replicaSet;

  private Readiness(ExtendedActorSystem system) {
    this.system = system;
    Config config = system.settings().config();
    this.replicated = ClusterSettings.replicated(config);
    this.replicaSet = replicated ? List.copyOf(config.getStringList("sluice.replication.nodes")) : List.of();
  }

  public static Readiness get(ActorSystem system) {
    return Id.INSTANCE.get(system);
  }

  public static Readiness get(org.apache.pekko.actor.typed.ActorSystem<?> system) {
    return get(org.apache.pekko.actor.typed.javadsl.Adapter.toClassic(system));
  }

  /** Why this node is not ready, one reason per failing condition; empty when it is ready. */
  public List<String> problems() {
    List<String> out = new ArrayList<>(4);
    journalProblem().ifPresent(out::add);
    memberProblem().ifPresent(out::add);
    shutdownProblem().ifPresent(out::add);
    quorumProblem().ifPresent(out::add);
    return out;
  }

  public boolean ready() {
    return problems().isEmpty();
  }

  public Optional<String> journalProblem() {
    if (!system.hasExtension(RocksDbStorage.Id.INSTANCE)) {
      return Optional.of("the journal is not open: its storage (RocksDB) has not been opened yet");
    }
    if (!RocksDbStorage.get(system).isOpen()) {
      return Optional.of("the journal is not open: its storage (RocksDB) is closed, or being reopened after a storage failure");
    }
    if (replicated && !(system.hasExtension(Replication.Id.INSTANCE) && Replication.get(system).started())) {
      return Optional.of("the journal is not open: this node's replica of the replicated journal has not started");
    }
    return Optional.empty();
  }

  public Optional<String> memberProblem() {
    MemberStatus status = Cluster.get(system).selfMember().status();
    if (status == MemberStatus.up()) return Optional.empty();
    return Optional.of("this node is not an Up cluster member (its status is " + status + ")");
  }

  public Optional<String> shutdownProblem() {
    Optional<CoordinatedShutdown.Reason> reason = CoordinatedShutdown.get(system).getShutdownReason();
    if (reason.isPresent()) {
      return Optional.of("this node is shutting down (" + reason.get().getClass().getSimpleName().replace("$", "") + ")");
    }
    if (system.whenTerminated().isCompleted()) return Optional.of("this node's actor system has terminated");
    return Optional.empty();
  }

  public Optional<String> quorumProblem() {
    return replicated ? Optional.ofNullable(quorum().problem()) : Optional.empty();
  }

  /** The replica-set quorum as this node sees it now; on a single node, trivially reached. */
  public ReplicaQuorum quorum() {
    if (!replicated) return new ReplicaQuorum(1, 1, List.of());
    Cluster cluster = Cluster.get(system);
    var state = cluster.state();
    Set<Member> unreachable = state.getUnreachable();
    Map<String, ReplicaQuorum.Seen> seen = new HashMap<>();
    for (Member m : state.getMembers()) {
      seen.put(endpoint(m.address()), unreachable.contains(m) ? ReplicaQuorum.Seen.UNREACHABLE
          : alive(m.status()) ? ReplicaQuorum.Seen.ALIVE : ReplicaQuorum.Seen.GONE);
    }
    return ReplicaQuorum.assess(replicaSet, endpoint(cluster.selfAddress()), alive(cluster.selfMember().status()), seen);
  }

  /** Whether a member in this status still takes part (and can serve as a replica). */
  static boolean alive(MemberStatus s) {
    return s == MemberStatus.joining() || s == MemberStatus.weaklyUp() || s == MemberStatus.up() || s == MemberStatus.leaving();
  }

  static String endpoint(Address a) {
    return a.host().getOrElse(() -> "") + ":" + a.port().getOrElse(() -> 0);
  }

}
