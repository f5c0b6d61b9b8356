package dev.sluice.server.ops;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.actor.ActorSystem;
import scala.concurrent.Future;
import scala.concurrent.Future$;

/**
 * A readiness check of pekko-management's {@code GET /ready}, registered under
 * {@code pekko.management.health-checks.readiness-checks} (the server's application.conf) and built
 * by reflection with the ActorSystem. Fails with the reason when the condition does not hold, so
 * {@code /ready} answers {@code 500 Health Check Failed: Check [<class>] failed: <reason>}.
 *
 * <p>Both forms pekko-management accepts: the Java {@link Supplier} and the Scala {@code () =>
 * Future[Boolean]}. It loads the Scala form first, and then names this class in its answer; for
 * the Java form it would name an internal lambda.
 */
abstract class ReadinessCheck extends scala.runtime.AbstractFunction0<Future<Object>>
    implements Supplier<CompletionStage<Boolean>> {
  protected final Readiness readiness;

  ReadinessCheck(ActorSystem system) {
    this.readiness = Readiness.get(system);
  }

  /** Why the condition does not hold, or empty. */
  abstract Optional<String> problem();

  @Override
  public CompletionStage<Boolean> get() {
    Optional<String> p = problem();
    return p.isEmpty() ? CompletableFuture.completedFuture(Boolean.TRUE)
        : CompletableFuture.failedFuture(new Readiness.NotReadyException(p.get()));
  }

  @Override
  public Future<Object> apply() {
    Optional<String> p = problem();
    return p.isEmpty() ? Future$.MODULE$.successful(Boolean.TRUE) : Future$.MODULE$.failed(new Readiness.NotReadyException(p.get()));
  }
}
