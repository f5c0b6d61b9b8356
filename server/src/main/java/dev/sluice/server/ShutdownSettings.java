package dev.sluice.server;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueFactory;
import java.time.Duration;

/**
 * {@code sluice.shutdown} (the server's reference.conf, README "Shutdown"): the bound of a graceful
 * stop and the share of it that requests in flight get. Pure; immutable.
 *
 * @param drainTimeout how long requests in flight get to finish once the stop begins
 * @param timeout      upper bound of the whole stop; a node owning its JVM halts after it
 */
public record ShutdownSettings(Duration drainTimeout, Duration timeout) {
  /** Time the HTTP server gets, after the drain, to cut the connections still open. */
  static final Duration CUT_CONNECTIONS = Duration.ofSeconds(1);
  /** The CoordinatedShutdown phases that wait on other cluster members (a gone peer never answers). */
  static final String[] CLUSTER_PHASES = {"cluster-sharding-shutdown-region", "cluster-leave", "cluster-exiting"};

  public ShutdownSettings {
    if (drainTimeout.isNegative() || drainTimeout.isZero()) {
      throw new IllegalArgumentException("sluice.shutdown.drain-timeout must be > 0, was " + drainTimeout);
    }
    if (timeout.compareTo(drainTimeout.plus(CUT_CONNECTIONS).plusSeconds(3)) < 0) {
      throw new IllegalArgumentException("sluice.shutdown.timeout (" + timeout + ") must be at least"
          + " sluice.shutdown.drain-timeout (" + drainTimeout + ") + 4s");
    }
  }

  public static ShutdownSettings fromConfig(Config root) {
    return new ShutdownSettings(root.getDuration("sluice.shutdown.drain-timeout"), root.getDuration("sluice.shutdown.timeout"));
  }

  /**
   * The time each cluster phase may take: what the drain leaves of the bound, shared between them
   * (with one second kept for closing the storage and terminating the actor system).
   */
  Duration clusterPhaseTimeout() {
    Duration left = timeout.minus(drainTimeout).minus(CUT_CONNECTIONS).minusSeconds(1);
    return left.dividedBy(CLUSTER_PHASES.length);
  }

  /**
   * {@code config} with CoordinatedShutdown's phase timeouts fitted into this bound; apply before the
   * ActorSystem is created. Without it Pekko's defaults (10 s for each cluster phase) let a node whose
   * peer is gone take far longer than {@link #timeout} to stop.
   */
  public Config applyTo(Config config) {
    String phases = "pekko.coordinated-shutdown.phases.";
    Config out = config.withValue(phases + "service-requests-done.timeout",
        ConfigValueFactory.fromAnyRef(millis(drainTimeout.plus(CUT_CONNECTIONS).plusMillis(500))));
    for (String phase : CLUSTER_PHASES) {
      out = out.withValue(phases + phase + ".timeout", ConfigValueFactory.fromAnyRef(millis(clusterPhaseTimeout())));
    }
    return out;
  }

  private static String millis(Duration d) {
    return d.toMillis() + "ms";
  }
}
