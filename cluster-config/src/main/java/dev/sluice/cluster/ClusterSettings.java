package dev.sluice.cluster;

import com.typesafe.config.Config;
import java.util.List;

/**
 * Typed view of {@code sluice.cluster} (see reference.conf). Seed nodes may only name this node
 * itself until replication exists ({@link #MULTI_NODE_UNSUPPORTED}).
 */
public record ClusterSettings(String host, int port, List<String> seedNodes) {
  public static ClusterSettings fromConfig(Config root) {
    // Full paths, so Typesafe Config's own errors name the whole key.
    int port = root.getInt("sluice.cluster.port");
    if (port < 0 || port > 65535) throw new IllegalArgumentException("sluice.cluster.port must be 0..65535, was " + port);
    List<String> seeds = root.getStringList("sluice.cluster.seed-nodes");
    for (String s : seeds) {
      if (!s.matches("^[^:\\s]+:\\d{1,5}$")) {
        throw new IllegalArgumentException("sluice.cluster.seed-nodes entries must be host:port, was '" + s + "'");
      }
    }
    String host = root.getString("sluice.cluster.host");
    CrashDowningSettings.fromConfig(root); // checked at start like every other cluster key
    formationEnabled(root);
    for (String s : seeds) {
      if (!replicated(root) && !s.equals(host + ":" + port)) {
        throw new IllegalArgumentException(MULTI_NODE_UNSUPPORTED + " (sluice.cluster.seed-nodes names " + s + ")");
      }
    }
    return new ClusterSettings(host, port, List.copyOf(seeds));
  }

  /** {@code sluice.cluster.formation.enabled}: whether a replicated node joins or forms a cluster by itself. */
  public static boolean formationEnabled(Config root) {
    return root.getBoolean("sluice.cluster.formation.enabled");
  }

  /**
   * Why seed nodes other than the node itself are refused: until streams are replicated, a stream's
   * data lives only on the node that wrote it, and a second member would serve empty reads.
   */
  public static final String MULTI_NODE_UNSUPPORTED = "multi-node clusters are not supported by this version of"
      + " Sluice: streams are not replicated yet, so each stream's data lives only on the node that wrote it and"
      + " a second node would serve empty or shortened reads; run a single node (no seed nodes)";

  /**
   * Whether the node runs the replicated journal ({@code sluice.replication.enabled}); only then may
   * it join other nodes. The key belongs to the persistence module's reference.conf.
   */
  public static boolean replicated(Config root) {
    return root.hasPath("sluice.replication.enabled") && root.getBoolean("sluice.replication.enabled");
  }

  public boolean singleNode() {
    return seedNodes.isEmpty();
  }
}
