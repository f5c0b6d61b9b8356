package dev.sluice.replication;

import dev.sluice.replication.Effect.Send;
import java.util.ArrayList;
import java.util.List;

/**
 * The effects one {@link Writer} step produces, in order. Shared by the writer and its parts
 * ({@link Recovery}, {@link CatchUp}) so their sends and timers interleave exactly as the step made
 * them: the order is part of the protocol (the driver sends in list order).
 *
 * <p>Not thread-safe; confined to the owning {@link Writer}.
 */
final class Outbox {
  private List<Effect> effects = new ArrayList<>();

  void add(Effect e) {
    effects.add(e);
  }

  void send(int replica, Message m) {
    effects.add(new Send(Address.replica(replica), m));
  }

  void send(Address to, Message m) {
    effects.add(new Send(to, m));
  }

  void broadcast(Message.ToReplica m) {
    for (int r = 0; r < Quorum.REPLICAS; r++) send(r, m);
  }

  /** Everything since the last drain, and start afresh. */
  List<Effect> drain() {
    List<Effect> r = effects;
    effects = new ArrayList<>();
    return List.copyOf(r);
  }
}
