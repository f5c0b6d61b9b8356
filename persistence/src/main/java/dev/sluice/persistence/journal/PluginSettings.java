package dev.sluice.persistence.journal;

import com.typesafe.config.Config;

/**
 * Settings of one plugin block ({@code sluice.persistence.journal} or
 * {@code sluice.persistence.snapshot-store}), read once when the plugin actor starts. Immutable.
 *
 * @param ioDispatcher dispatcher for the plugin's blocking RocksDB reads (replay, highest
 *     sequence number, snapshot load), kept apart from the plugin actor's own dispatcher so long
 *     replays cannot delay writes
 */
record PluginSettings(String ioDispatcher) {
  static PluginSettings fromConfig(Config pluginConfig, String configPath) {
    String io = pluginConfig.getString("io-dispatcher");
    if (io.isBlank()) {
      throw new IllegalArgumentException(configPath + ".io-dispatcher must name a dispatcher");
    }
    return new PluginSettings(io);
  }
}
