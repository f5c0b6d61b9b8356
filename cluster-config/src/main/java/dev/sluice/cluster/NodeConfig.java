package dev.sluice.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the full configuration of a node: command-line overrides over system properties over
 * {@code application.conf} over the {@code sluice/cluster.conf} defaults (and the build's version as
 * {@code pekko.cluster.app-version}) over every module's reference.conf. Used by the server's main and by tests that start nodes, so both agree.
 */
public final class NodeConfig {
  /** The actor system name; part of every node address, so all nodes of a cluster must agree. */
  public static final String SYSTEM_NAME = "sluice";

  private NodeConfig() {}

  public static Config load(Config overrides) {
    ConfigFactory.invalidateCaches();
    Config base = ConfigFactory.defaultOverrides()
        .withFallback(overrides)
        .withFallback(ConfigFactory.defaultApplication())
        .withFallback(ConfigFactory.parseResources("sluice/cluster.conf"))
        // The node tells the cluster which Sluice it runs (Pekko's default is 0.0.0).
        .withFallback(ConfigFactory.parseMap(java.util.Map.of("pekko.cluster.app-version", SluiceVersion.get())))
        .withFallback(ConfigFactory.defaultReference());
    Config resolved = base.resolve();
    if (ClusterSettings.replicated(resolved)) {
      // The replicated journal, and the pekko.* settings a replicated cluster needs, over anything
      // but the user's own overrides (docs/replication-wiring.md).
      resolved = ConfigFactory.defaultOverrides().withFallback(overrides)
          .withFallback(ConfigFactory.parseResources("sluice/replicated.conf"))
          .withFallback(resolved).resolve();
    }
    ClusterSettings cs = ClusterSettings.fromConfig(resolved);
    List<String> seeds = new ArrayList<>();
    // A replicated node joins through the server's cluster formation (Formation), not Pekko's
    // seed-node process: that one lets the first seed node form a cluster of its own.
    if (!ClusterSettings.replicated(resolved)) {
      for (String s : cs.seedNodes()) seeds.add("pekko://" + SYSTEM_NAME + "@" + s);
    }
    return ConfigFactory.parseMap(java.util.Map.of("pekko.cluster.seed-nodes", seeds)).withFallback(resolved);
  }
}
