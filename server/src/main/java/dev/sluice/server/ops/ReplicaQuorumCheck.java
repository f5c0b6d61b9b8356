package dev.sluice.server.ops;

import java.util.Optional;
import org.apache.pekko.actor.ActorSystem;

/** Readiness ({@link ReadinessCheck}, {@link Readiness}): In a replicated cluster, a quorum (2 of 3) of the replica set is reachable from this node, itself included; always true on a single node. */
public final class ReplicaQuorumCheck extends ReadinessCheck {
  public ReplicaQuorumCheck(ActorSystem system) {
    super(system);
  }

  @Override
  Optional<String> problem() {
    return readiness.quorumProblem();
  }
}
