package dev.sluice.server.ops;

import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.actor.ActorSystem;

/**
 * Readiness check for pekko-management's {@code GET /ready} (registered under
 * {@code pekko.management.health-checks.readiness-checks} in the server's application.conf; built by
 * reflection with the ActorSystem). In a replicated cluster, a quorum (2 of 3) of the replica set is reachable from this node, itself included; always true on a single node. Fails with the reason when not (see {@link Readiness}).
 */
public final class ReplicaQuorumCheck implements Supplier<CompletionStage<Boolean>> {
  private final Readiness readiness;

  public ReplicaQuorumCheck(ActorSystem system) {
    this.readiness = Readiness.get(system);
  }

  @Override
  public CompletionStage<Boolean> get() {
    return Readiness.asCheck(readiness.quorumProblem());
  }
}
