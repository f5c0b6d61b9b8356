package dev.sluice.actors.stream;

import dev.sluice.actors.tail.TailHub;
import dev.sluice.actors.tail.TailRelay;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The other nodes whose live readers wait on this stream, each until its lease runs out. A reader
 * on another node registers its node's {@link TailRelay} in the same ask that reads the stream's
 * state ({@code GetView}), so every change after that look reaches its node: "listen, then look"
 * works across nodes without a race. Leases are renewed by every look and cover the reader's wait;
 * a reader whose lease ran out (or whose stream moved to another owner) wakes at its own timeout,
 * looks again and registers again.
 *
 * <p>Not thread-safe; confined to the entity. Costs nothing while no other node reads the stream.
 */
final class Watchers {
  /** Updates carry the appended bytes only up to this size across nodes; bigger ones are read from the store. */
  static final long MAX_REMOTE_UNIT_BYTES = 64 * 1024;

  private Map<ActorRef<TailRelay.Command>, Long> until;

  void watch(ActorRef<TailRelay.Command> relay, long untilMillis) {
    if (until == null) until = new HashMap<>(4);
    until.merge(relay, untilMillis, Math::max);
  }

  /** Sends {@code update} to every node still watching; forgets the expired ones. */
  void publish(String path, TailHub.TailUpdate update, long now) {
    if (until == null) return;
    TailRelay.Publish message = null;
    for (Iterator<Map.Entry<ActorRef<TailRelay.Command>, Long>> it = until.entrySet().iterator(); it.hasNext(); ) {
      var e = it.next();
      if (e.getValue() < now) {
        it.remove();
        continue;
      }
      if (message == null) message = new TailRelay.Publish(path, withinRemoteBudget(update));
      e.getKey().tell(message);
    }
    if (until.isEmpty()) until = null;
  }

  int size() {
    return until == null ? 0 : until.size();
  }

  private static TailHub.TailUpdate withinRemoteBudget(TailHub.TailUpdate u) {
    long bytes = 0;
    for (var unit : u.units()) bytes += unit.data().length();
    if (bytes <= MAX_REMOTE_UNIT_BYTES) return u;
    return new TailHub.TailUpdate(u.storeId(), u.tail(), u.closed(), u.gone(), java.util.List.of());
  }
}
