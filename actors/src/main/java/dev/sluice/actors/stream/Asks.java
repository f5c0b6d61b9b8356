package dev.sluice.actors.stream;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import scala.concurrent.ExecutionContext;
import scala.jdk.javaapi.FutureConverters;
import scala.runtime.BoxedUnit;

/**
 * Asks an entity without the thread hop Pekko's Java {@code ask} adds. That {@code ask} returns
 * Scala's CompletableFuture adapter, which runs every dependent stage, even {@code thenApply}, as
 * an {@code *Async} stage on {@code ForkJoinPool.commonPool}: one more thread hand-off per request,
 * and a new thread per stage where the common pool has parallelism 1 (2-core machines; apps that
 * embed Sluice). See docs/design.md "Thread hand-offs".
 */
public final class Asks {
  private Asks() {}

  /**
   * {@code ref.ask(msg, timeout)}, as a plain future completed on the thread that delivers the
   * reply (or the timeout): its dependent stages run there, so they must be cheap and non-blocking.
   */
  public static <M, R> CompletableFuture<R> ask(EntityRef<M> ref, Function<ActorRef<R>, M> msg, Duration timeout) {
    CompletableFuture<R> out = new CompletableFuture<>();
    CompletionStage<R> asked = ref.ask(msg::apply, timeout);
    FutureConverters.asScala(asked).onComplete(t -> {
      if (t.isSuccess()) out.complete(t.get());
      else out.completeExceptionally(t.failed().get());
      return BoxedUnit.UNIT;
    }, ExecutionContext.parasitic$.MODULE$);
    return out;
  }
}
