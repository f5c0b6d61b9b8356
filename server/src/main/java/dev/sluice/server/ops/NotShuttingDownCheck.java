package dev.sluice.server.ops;

import java.util.Optional;
import org.apache.pekko.actor.ActorSystem;

/** Readiness ({@link ReadinessCheck}, {@link Readiness}): CoordinatedShutdown has not started (a node that is leaving takes no new work). */
public final class NotShuttingDownCheck extends ReadinessCheck {
  public NotShuttingDownCheck(ActorSystem system) {
    super(system);
  }

  @Override
  Optional<String> problem() {
    return readiness.shutdownProblem();
  }
}
