package dev.sluice.cluster;

import com.typesafe.config.Config;
import java.util.List;

/** Typed view of {@code sluice.cluster} (see reference.conf). */
public record ClusterSettings(String host, int port, List<String> seedNodes) {
  public static ClusterSettings fromConfig(Config root) {
    Config c = root.getConfig("sluice.cluster");
    int port = c.getInt("port");
    if (port < 0 || port > 65535) throw new IllegalArgumentException("sluice.cluster.port must be 0..65535, was " + port);
    List<String> seeds = c.getStringList("seed-nodes");
    for (String s : seeds) {
      if (!s.matches("^[^:\\s]+:\\d{1,5}$")) {
        throw new IllegalArgumentException("sluice.cluster.seed-nodes entries must be host:port, was '" + s + "'");
      }
    }
    return new ClusterSettings(c.getString("host"), port, List.copyOf(seeds));
  }

  public boolean singleNode() {
    return seedNodes.isEmpty();
  }
}
