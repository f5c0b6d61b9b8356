package dev.sluice.actors.stream;

import dev.sluice.actors.stream.StreamEntity.AcquireFork;
import dev.sluice.actors.stream.StreamEntity.Command;
import dev.sluice.actors.stream.StreamEntity.ConfirmForkOf;
import dev.sluice.actors.stream.StreamEntity.Reply;
import dev.sluice.core.Bytes;
import dev.sluice.core.error.ErrorCode;
import dev.sluice.core.error.Rejection;
import dev.sluice.core.protocol.ContentTypes;
import dev.sluice.core.rules.Commands;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/**
 * The two operations that involve other streams, as futures the entity pipes back to itself (the
 * saga steps; the entity is "busy" meanwhile and stashes other mutations):
 *
 * <ul>
 *   <li>{@link #prepareFork}: a new fork asks its source for a {@link Commands.ForkGrant} (which
 *       pins the source's data) and, for a sub-offset, cuts the prefix of the anchor unit.
 *   <li>{@link #liveForks}: a source being deleted asks each of its forks whether it still pins it.
 * </ul>
 *
 * Compensation (releasing a grant whose fork was not created) stays with the entity, which knows
 * the outcome. Thread-safe: stateless, the futures complete on Pekko or blocking-IO threads.
 */
final class CrossStream {
  private CrossStream() {}

  /** The outcome of asking a source for a fork: a grant (with the sub-offset prefix), a rejection or a failure. */
  record ForkPrepared(
      Commands.Create cmd, Commands.ForkGrant grant, Bytes prefix, Rejection rejection, Throwable failure,
      org.apache.pekko.actor.typed.ActorRef<Reply<Commands.CreateResult>> replyTo)
      implements Command {}

  /** The forks of a source that still pin it, or the failure to find out. */
  record ForksConfirmed(Set<String> alive, Throwable failure,
                        org.apache.pekko.actor.typed.ActorRef<Reply<Boolean>> replyTo) implements Command {}

  static CompletionStage<ForkPrepared> prepareFork(
      String childPath, Commands.Create c, org.apache.pekko.actor.typed.ActorRef<Reply<Commands.CreateResult>> replyTo,
      StreamEntity.Deps deps) {
    var fork = c.fork();
    CompletionStage<Reply<Commands.ForkGrant>> asked = Asks.<Command, Reply<Commands.ForkGrant>>ask(
        ref(deps, fork.sourcePath()), r -> new AcquireFork(childPath, fork, c.contentType(), r), deps.askTimeout());
    return asked.thenCompose(reply -> {
      if (reply instanceof Reply.Rejected<Commands.ForkGrant> rej) {
        return CompletableFuture.completedFuture(new ForkPrepared(c, null, null, rej.rejection(), null, replyTo));
      }
      if (reply instanceof Reply.Failed<Commands.ForkGrant> f) {
        return CompletableFuture.completedFuture(
            new ForkPrepared(c, null, null, null, new IllegalStateException(f.reason()), replyTo));
      }
      var grant = ((Reply.Ok<Commands.ForkGrant>) reply).value();
      if (fork.subOffset() == 0) {
        return CompletableFuture.completedFuture(new ForkPrepared(c, grant, null, null, null, replyTo));
      }
      boolean json = ContentTypes.isJson(grant.contentType());
      return LocalCopy.await(() -> LocalCopy.anchorPrefix(deps.store(), grant, json, fork.subOffset()), deps.blockingIo())
          .handle((prefix, err) -> {
            // Keep the grant in every outcome so the caller releases the source's pin if no fork is created.
            if (err != null) return new ForkPrepared(c, grant, null, null, err, replyTo);
            if (prefix.isEmpty()) {
              return new ForkPrepared(c, grant, null,
                  Rejection.of(ErrorCode.FORK_SUB_OFFSET_INVALID, "sub-offset exceeds the append unit at the fork offset"), null, replyTo);
            }
            return new ForkPrepared(c, grant, prefix.get(), null, null, replyTo);
          });
    }).handle((ok, err) -> err != null ? new ForkPrepared(c, null, null, null, err, replyTo) : ok);
  }

  static CompletionStage<ForksConfirmed> liveForks(
      String sourcePath, Set<String> forks, org.apache.pekko.actor.typed.ActorRef<Reply<Boolean>> replyTo,
      StreamEntity.Deps deps) {
    List<CompletableFuture<String>> futures = new ArrayList<>();
    for (String child : forks) {
      futures.add(Asks.<Command, Boolean>ask(ref(deps, child), r -> new ConfirmForkOf(sourcePath, r), deps.askTimeout())
          .thenApply(alive -> alive ? child : null));
    }
    return CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).handle((v, err) -> {
      if (err != null) return new ForksConfirmed(null, err, replyTo);
      Set<String> alive = new HashSet<>();
      for (var f : futures) if (f.join() != null) alive.add(f.join());
      return new ForksConfirmed(alive, null, replyTo);
    });
  }

  static EntityRef<Command> ref(StreamEntity.Deps deps, String path) {
    return deps.sharding().entityRefFor(StreamEntity.TYPE_KEY, path);
  }
}
