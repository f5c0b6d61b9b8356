package dev.sluice.server.ops;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueFactory;

/**
 * {@code sluice.management} and {@code sluice.metrics} (the server's reference.conf). Immutable.
 *
 * @param managementEnabled whether pekko-management serves /alive, /ready and /cluster/members
 * @param managementPort    its port (0 = any free port)
 * @param portDerived       the port was derived from the HTTP port ({@code port = -1}), not set:
 *                          failing to bind it is then logged, not fatal
 * @param metricsEnabled    whether /metrics is served and metrics are recorded
 */
public record OpsSettings(boolean managementEnabled, int managementPort, boolean portDerived, boolean metricsEnabled) {
  /** The derived management port is the HTTP port plus this. */
  public static final int PORT_OFFSET = 1000;

  public static OpsSettings fromConfig(Config root) {
    boolean enabled = root.getBoolean("sluice.management.enabled");
    int configured = root.getInt("sluice.management.port");
    int http = root.getInt("sluice.http.port");
    boolean derived = configured == -1;
    int port = derived ? (http == 0 ? 0 : http + PORT_OFFSET) : configured;
    if (enabled && (port < 0 || port > 65535)) {
      throw new IllegalArgumentException(derived
          ? "sluice.management.port: the HTTP port + " + PORT_OFFSET + " (" + port + ") is not a valid port; set"
              + " sluice.management.port (--management-port) or turn management off"
          : "sluice.management.port must be -1 (HTTP port + " + PORT_OFFSET + "), 0 (any) or 1..65535, was " + configured);
    }
    return new OpsSettings(enabled, port, derived, root.getBoolean("sluice.metrics.enabled"));
  }

  /**
   * {@code config} with pekko-management's HTTP server bound to {@code host} (the HTTP server's) and
   * {@link #managementPort}; apply before the ActorSystem is created.
   */
  public Config applyTo(Config config, String host) {
    return config
        .withValue("pekko.management.http.hostname", ConfigValueFactory.fromAnyRef(host))
        .withValue("pekko.management.http.port", ConfigValueFactory.fromAnyRef(managementPort));
  }
}
