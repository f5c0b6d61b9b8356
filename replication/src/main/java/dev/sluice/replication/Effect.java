package dev.sluice.replication;

/**
 * What a state machine asks its driver to do, in order. The driver must honour the order: a
 * {@link Persist} is made durable (fsync) before any {@link Send} that follows it in the same list or
 * in any later list, because replies promise durability (a promise or an ack that a crash could undo
 * breaks the quorum arguments).
 */
public sealed interface Effect {
  /** Make this replica state durable (one synced write batch). */
  record Persist(ReplicaState state) implements Effect {}

  record Send(Address to, Message message) implements Effect {}

  /** Deliver {@code timer} back to the writer after {@code delayMillis} (replaces a pending one with the same key). */
  record SetTimer(Writer.Timer timer, long delayMillis) implements Effect {}
}
