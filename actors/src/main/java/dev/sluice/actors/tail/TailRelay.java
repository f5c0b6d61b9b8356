package dev.sluice.actors.tail;

import dev.sluice.core.CborSerializable;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * One per node: hands changes of streams owned on OTHER nodes to this node's {@link TailHub}, so
 * live readers (long-poll, SSE) connected here wake up when the stream's owner commits elsewhere.
 * A stream's entity learns which nodes watch it from the reads that reach it (see
 * {@code StreamEntity.GetView}); there is no polling and no cluster-wide broadcast.
 */
public final class TailRelay {
  private TailRelay() {}

  public sealed interface Command extends CborSerializable {}

  /** {@code update} is a committed change of {@code path}, published by its owner. */
  public record Publish(String path, TailHub.TailUpdate update) implements Command {}

  public static Behavior<Command> create(TailHub hub) {
    return Behaviors.receiveMessage(m -> {
      if (m instanceof Publish p) hub.publishRelayed(p.path(), p.update());
      return Behaviors.same();
    });
  }
}
