package dev.sluice.replication.node;

import dev.sluice.replication.node.Wire.Delivered;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The receiving side of {@link Batcher}'s window: which batches of each peer node this node took and
 * has not acknowledged yet. Acknowledgements are cumulative ({@link Delivered} of the last batch taken
 * covers every earlier one; batches of one sender arrive in order over one Artery association) and
 * lazy: one at once when half the sender's window arrived since the last one, so a busy sender never
 * stalls on its window, otherwise one per {@code ack-interval} tick for a peer that sent anything.
 *
 * <p>Not thread-safe; confined to the {@link ReplicaNode} actor. No clock: the actor's tick drives it.
 */
final class AckLedger {
  /** An acknowledgement to send. */
  record Ack(ActorRef<Batcher.Command> to, Delivered delivered) {}

  private static final class Peer {
    ActorRef<Batcher.Command> ackTo;
    long lastId;
    long bytesSinceAck;
    boolean owed;
  }

  private final long ackNowBytes;
  private final Map<Integer, Peer> peers = new HashMap<>();

  /** {@code windowBytes}: the senders' window (the same setting on every node). */
  AckLedger(long windowBytes) {
    this.ackNowBytes = Math.max(1, windowBytes / 2);
  }

  /**
   * Batch {@code id} of node {@code fromNode} (about {@code bytes}, {@link Wire#estimate}) was taken;
   * returns the acknowledgement to send at once, or null if it can wait for the tick.
   */
  Ack took(int fromNode, ActorRef<Batcher.Command> ackTo, long id, long bytes) {
    Peer p = peers.computeIfAbsent(fromNode, n -> new Peer());
    // The latest id, not the highest: a restarted sender numbers its batches from 1 again.
    p.ackTo = ackTo;
    p.lastId = id;
    p.bytesSinceAck += bytes;
    p.owed = true;
    return p.bytesSinceAck >= ackNowBytes ? settle(p) : null;
  }

  /** The tick: every acknowledgement still owed. */
  List<Ack> due() {
    List<Ack> out = new ArrayList<>(2);
    for (Peer p : peers.values()) {
      if (p.owed) out.add(settle(p));
    }
    return out;
  }

  private static Ack settle(Peer p) {
    p.owed = false;
    p.bytesSinceAck = 0;
    return new Ack(p.ackTo, new Delivered(p.lastId));
  }
}
