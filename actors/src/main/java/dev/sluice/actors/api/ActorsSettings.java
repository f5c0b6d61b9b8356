package dev.sluice.actors.api;

import com.typesafe.config.Config;
import java.time.Duration;

/** Typed view of {@code sluice.actors} (see this module's reference.conf for each key's meaning). */
public record ActorsSettings(Duration askTimeout, int snapshotEvery, String blockingIoDispatcher, boolean singleNodeGuard) {
  public ActorsSettings(Duration askTimeout, int snapshotEvery, String blockingIoDispatcher) {
    this(askTimeout, snapshotEvery, blockingIoDispatcher, true);
  }

  public static ActorsSettings fromConfig(Config root) {
    Config c = root.getConfig("sluice.actors");
    Duration ask = c.getDuration("ask-timeout");
    if (ask.isZero() || ask.isNegative()) throw new IllegalArgumentException("sluice.actors.ask-timeout must be > 0, was " + ask);
    int every = c.getInt("snapshot-every");
    if (every < 1) throw new IllegalArgumentException("sluice.actors.snapshot-every must be >= 1, was " + every);
    return new ActorsSettings(ask, every, c.getString("blocking-io-dispatcher"), c.getBoolean("single-node-guard"));
  }
}
