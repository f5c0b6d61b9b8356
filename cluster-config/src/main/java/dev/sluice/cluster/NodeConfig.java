package dev.sluice.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the full configuration of a node: command-line overrides over system properties over
 * {@code application.conf} over the {@code sluice/cluster.conf} defaults over every module's
 * reference.conf. Used by the server's main and by tests that start nodes, so both agree.
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
        .withFallback(ConfigFactory.defaultReference());
    Config resolved = base.resolve();
    if (ClusterSettings.replicated(resolved)) {
      // The replicated journal, and the pekko.* settings a replicated cluster needs, over anything
      // but the user's own overrides (docs/replication-wiring.md).
      resolved = ConfigFactory.defaultOverrides().withFallback(overrides)
          .withFallback(ConfigFactory.parseResources("sluice/replicated.conf"))
          .withFallback(resolved).resolve();
      ClusterSettings first = ClusterSettings.fromConfig(resolved);
      if (!first.seedNodes().isEmpty() && first.seedNodes().get(0).equals(first.host() + ":" + first.port())) {
        // The first seed node would start a cluster of its own after seed-node-timeout without an
        // answer; it waits longer (sluice.cluster.first-seed-node-timeout), unless told otherwise.
        Config firstSeed = ConfigFactory.empty().withValue("pekko.cluster.seed-node-timeout",
            resolved.getValue("sluice.cluster.first-seed-node-timeout"));
        resolved = ConfigFactory.defaultOverrides().withFallback(overrides).withFallback(firstSeed)
            .withFallback(resolved).resolve();
      }
    }
    ClusterSettings cs = ClusterSettings.fromConfig(resolved);
    List<String> seeds = new ArrayList<>();
    for (String s : cs.seedNodes()) seeds.add("pekko://" + SYSTEM_NAME + "@" + s);
    return ConfigFactory.parseMap(java.util.Map.of("pekko.cluster.seed-nodes", seeds)).withFallback(resolved);
  }
}
