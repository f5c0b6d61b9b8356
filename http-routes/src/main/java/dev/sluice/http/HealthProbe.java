package dev.sluice.http;

import java.util.List;

/**
 * What {@code GET /health} reports: why this node is not ready to serve, one reason per failing
 * condition, or nothing when it is ready (200 {@code ok}; otherwise 503 with the reasons). Called
 * on every {@code /health} request, so it must be cheap (no IO, no waiting). Thread-safe.
 */
@FunctionalInterface
public interface HealthProbe {
  /** Always ready: routes used without a server (tests, embedding) report only that they answer. */
  HealthProbe ALWAYS_READY = List::of;

  List<String> notReadyReasons();
}
