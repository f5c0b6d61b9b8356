package dev.sluice.cluster;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * Typed view of {@code sluice.cluster.crash-downing} (see reference.conf and {@link CrashedPeers}):
 * whether to probe, how often, how long one connect may take, and how many refusals in a row
 * prove a member's process is gone. Read and checked at start with the other cluster settings.
 */
public record CrashDowningSettings(boolean enabled, Duration interval, Duration connectTimeout, int refusals) {
  public static CrashDowningSettings fromConfig(Config root) {
    // Full paths, so Typesafe Config's own errors name the whole key.
    boolean enabled = root.getBoolean("sluice.cluster.crash-downing.enabled");
    Duration interval = root.getDuration("sluice.cluster.crash-downing.interval");
    Duration timeout = root.getDuration("sluice.cluster.crash-downing.connect-timeout");
    int refusals = root.getInt("sluice.cluster.crash-downing.refusals");
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("sluice.cluster.crash-downing.interval must be > 0, was " + interval);
    }
    if (timeout.toMillis() < 1 || timeout.toMillis() > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("sluice.cluster.crash-downing.connect-timeout must be at least 1ms, was " + timeout);
    }
    if (refusals < 1) throw new IllegalArgumentException("sluice.cluster.crash-downing.refusals must be >= 1, was " + refusals);
    return new CrashDowningSettings(enabled, interval, timeout, refusals);
  }
}
