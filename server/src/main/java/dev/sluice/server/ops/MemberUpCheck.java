package dev.sluice.server.ops;

import java.util.Optional;
import org.apache.pekko.actor.ActorSystem;

/** Readiness ({@link ReadinessCheck}, {@link Readiness}): This node is an Up member of its cluster. */
public final class MemberUpCheck extends ReadinessCheck {
  public MemberUpCheck(ActorSystem system) {
    super(system);
  }

  @Override
  Optional<String> problem() {
    return readiness.memberProblem();
  }
}
