package dev.sluice.server;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueFactory;
import java.util.List;

/**
 * {@code --cluster-nodes} and {@code --node-ordinal}: one node of a replicated 3-node cluster from
 * two flags. The node list is at once the replica set (ordinal i is the i-th entry, the same on
 * every node), the static seed nodes, and, through the ordinal, this node's own Artery address.
 * Pure: flags in, config overrides out, or a usage error naming the bad value.
 */
final class ClusterFlags {
  static final int NODES = 3;

  private ClusterFlags() {}

  static Config replicated(Config flags, List<String> nodes) {
    if (nodes.size() != NODES) {
      throw new IllegalArgumentException("--cluster-nodes needs exactly " + NODES + " host:port entries (the replica set), got "
          + nodes.size() + ": " + nodes);
    }
    for (String n : nodes) {
      if (!n.matches("^[^:\\s,]+:\\d{1,5}$")) {
        throw new IllegalArgumentException("--cluster-nodes entries must be host:port, was '" + n + "'");
      }
    }
    if (nodes.stream().distinct().count() != nodes.size()) {
      throw new IllegalArgumentException("--cluster-nodes lists a node twice: " + nodes);
    }
    if (!flags.hasPath("sluice.replication.node-ordinal")) {
      throw new IllegalArgumentException("--cluster-nodes needs --node-ordinal (0.." + (NODES - 1) + "): which entry is this node");
    }
    int ordinal = flags.getInt("sluice.replication.node-ordinal");
    if (ordinal < 0 || ordinal >= NODES) {
      throw new IllegalArgumentException("--node-ordinal must be 0.." + (NODES - 1) + ", was " + ordinal);
    }
    String self = nodes.get(ordinal);
    int colon = self.lastIndexOf(':');
    return flags
        .withValue("sluice.replication.enabled", ConfigValueFactory.fromAnyRef(true))
        .withValue("sluice.replication.nodes", ConfigValueFactory.fromIterable(nodes))
        .withValue("sluice.cluster.host", ConfigValueFactory.fromAnyRef(self.substring(0, colon)))
        .withValue("sluice.cluster.port", ConfigValueFactory.fromAnyRef(Integer.parseInt(self.substring(colon + 1))))
        .withValue("sluice.cluster.seed-nodes", ConfigValueFactory.fromIterable(nodes));
  }
}
