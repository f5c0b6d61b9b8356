package dev.sluice.server.ops;

import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.actor.ActorSystem;

/**
 * Readiness check for pekko-management's {@code GET /ready} (registered under
 * {@code pekko.management.health-checks.readiness-checks} in the server's application.conf; built by
 * reflection with the ActorSystem). The journal is open: the node's RocksDB is open and, in a replicated cluster, its replica runs. Fails with the reason when not (see {@link Readiness}).
 */
public final class JournalOpenCheck implements Supplier<CompletionStage<Boolean>> {
  private final Readiness readiness;

  public JournalOpenCheck(ActorSystem system) {
    this.readiness = Readiness.get(system);
  }

  @Override
  public CompletionStage<Boolean> get() {
    return Readiness.asCheck(readiness.journalProblem());
  }
}
