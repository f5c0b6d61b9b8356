package dev.sluice.persistence.replicated;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * Settings of the replicated journal plugin block ({@code sluice.persistence.replicated-journal}), read
 * once when the plugin starts. Every key is commented in this module's reference.conf. Immutable.
 *
 * @param ioDispatcher       dispatcher for the blocking local reads (replay, highest sequence number)
 * @param materializeTimeout how long an acknowledged write may wait for this node to materialize it
 * @param catchUpTimeout     how long an opening owner may wait for this node to materialize the committed log
 * @param idleTimeout        a stream's writer with nothing in flight for this long is stopped
 */
public record ReplicatedJournalSettings(String ioDispatcher, Duration materializeTimeout, Duration catchUpTimeout,
                                        Duration idleTimeout) {
  public ReplicatedJournalSettings {
    requirePositive("materialize-timeout", materializeTimeout);
    requirePositive("catch-up-timeout", catchUpTimeout);
    requirePositive("idle-timeout", idleTimeout);
  }

  public static ReplicatedJournalSettings fromConfig(Config pluginConfig, String configPath) {
    String io = pluginConfig.getString("io-dispatcher");
    if (io.isBlank()) {
      throw new IllegalArgumentException(configPath + ".io-dispatcher must name a dispatcher");
    }
    try {
      return new ReplicatedJournalSettings(io, pluginConfig.getDuration("materialize-timeout"),
          pluginConfig.getDuration("catch-up-timeout"), pluginConfig.getDuration("idle-timeout"));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(configPath + "." + e.getMessage(), e);
    }
  }

  /** How often idle writers are looked for: often enough that one lives at most 1.5 idle timeouts. */
  Duration sweepInterval() {
    return idleTimeout.dividedBy(2);
  }

  private static void requirePositive(String key, Duration d) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(key + " must be > 0, was " + d);
    }
  }
}
