package dev.sluice.actors.api;

import java.util.List;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Leave;
import org.apache.pekko.cluster.typed.Subscribe;

/**
 * Keeps Sluice out of multi-node clusters until streams are replicated. A stream's events live only
 * in the RocksDB of the node that wrote them, so once Cluster Sharding moves a stream (or routes a
 * read) to another node, that node serves an empty or shorter history with advanced offsets: data
 * silently skipped by clients. Refusing the second node is the only safe answer today.
 *
 * <ul>
 *   <li>{@link #checkConfig}: at start, configured seed nodes other than this node are an error.
 *   <li>{@link #behavior}: at run time, if another member joins anyway, this node logs why and
 *       leaves the cluster, so its streams stop instead of being served from the wrong disk.
 * </ul>
 */
final class SingleNodeGuard {
  static final String WHY = "Sluice does not replicate streams yet: each stream's data lives only on the node that"
      + " wrote it, so a second cluster member would serve empty or shortened reads. Run one node per cluster"
      + " (no seed nodes, or only this node's own address)";

  private SingleNodeGuard() {}

  /** @throws IllegalStateException if {@code pekko.cluster.seed-nodes} names another node */
  static void checkConfig(ActorSystem<?> system) {
    Address self = Cluster.get(system).selfMember().address();
    List<String> seeds = system.settings().config().getStringList("pekko.cluster.seed-nodes");
    for (String seed : seeds) {
      if (!seed.equals(self.toString())) {
        throw new IllegalStateException(WHY + "; pekko.cluster.seed-nodes names " + seed + " (this node is " + self + ")");
      }
    }
  }

  static Behavior<ClusterEvent.MemberEvent> behavior() {
    return Behaviors.setup(ctx -> {
      Cluster cluster = Cluster.get(ctx.getSystem());
      cluster.subscriptions().tell(Subscribe.create(ctx.getSelf(), ClusterEvent.MemberEvent.class));
      Address self = cluster.selfMember().address();
      return Behaviors.receiveMessage(event -> {
        if (event instanceof ClusterEvent.MemberJoined || event instanceof ClusterEvent.MemberUp) {
          Address other = event.member().address();
          if (!other.equals(self)) {
            ctx.getLog().error("{}. Member {} joined this node's cluster: leaving the cluster, so this node's"
                + " streams stop rather than be served from the wrong disk.", WHY, other);
            cluster.manager().tell(Leave.create(self));
            return Behaviors.stopped();
          }
        }
        return Behaviors.same();
      });
    });
  }
}
