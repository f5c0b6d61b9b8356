package dev.sluice.server.ops;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Whether this node can reach a quorum of its replica set, from its view of the cluster. Pure: the
 * replica set (the configured "host:port" Artery endpoints) and what this node knows of each
 * member in, a verdict out.
 *
 * <p>A replica-set node counts as reachable when it is a cluster member that is alive (Joining,
 * WeaklyUp, Up or Leaving) and this node does not see it as unreachable; this node itself counts
 * while it is alive. A node that never joined, was downed or removed, or that the failure detector
 * flags, does not count. With 3 nodes a quorum is 2: below that no append can be acknowledged and
 * no stream can be opened (fenced) through this node, so it is not ready.
 *
 * @param reachable   replica-set nodes reachable from here, this one included
 * @param needed      the quorum (a majority of the replica set)
 * @param unreachable the endpoints that do not count, each with why
 */
public record ReplicaQuorum(int reachable, int needed, List<String> unreachable) {

  /** What this node knows of one cluster member. */
  public enum Seen { ALIVE, UNREACHABLE, GONE }

  /**
   * @param replicaSet the replica set's endpoints ("host:port"), in ordinal order
   * @param self       this node's endpoint
   * @param selfAlive  whether this node is an alive member (not Down, Exiting or Removed)
   * @param members    every other member this node knows, by endpoint
   */
  public static ReplicaQuorum assess(List<String> replicaSet, String self, boolean selfAlive, Map<String, Seen> members) {
    int reachable = 0;
    List<String> missing = new ArrayList<>();
    for (String node : replicaSet) {
      if (node.equals(self)) {
        if (selfAlive) reachable++;
        else missing.add(node + " (this node, no longer an alive member)");
        continue;
      }
      Seen seen = members.get(node);
      if (seen == Seen.ALIVE) {
        reachable++;
      } else {
        missing.add(node + (seen == null ? " (not a cluster member)" : seen == Seen.UNREACHABLE ? " (unreachable)" : " (down or leaving)"));
      }
    }
    return new ReplicaQuorum(reachable, replicaSet.size() / 2 + 1, List.copyOf(missing));
  }

  public boolean reached() {
    return reachable >= needed;
  }

  /** Why not reached, for /ready and /health; null when reached. */
  public String problem() {
    if (reached()) return null;
    return "only " + reachable + " of the replica set's " + (reachable + unreachable.size()) + " nodes are reachable from"
        + " this node, " + needed + " needed to acknowledge appends or open streams; missing: " + String.join(", ", unreachable);
  }
}
