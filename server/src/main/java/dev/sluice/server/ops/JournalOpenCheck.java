package dev.sluice.server.ops;

import java.util.Optional;
import org.apache.pekko.actor.ActorSystem;

/** Readiness ({@link ReadinessCheck}, {@link Readiness}): The journal is open: the node's RocksDB is open and, in a replicated cluster, its replica runs. */
public final class JournalOpenCheck extends ReadinessCheck {
  public JournalOpenCheck(ActorSystem system) {
    super(system);
  }

  @Override
  Optional<String> problem() {
    return readiness.journalProblem();
  }
}
