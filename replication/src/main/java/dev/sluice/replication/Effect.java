package dev.sluice.replication;

/**
 * What a state machine asks its driver to do, in order. The driver must honour the order: a
 * {@link Persist} is made durable (fsync) before any {@link Send} that follows it in the same list or
 * in any later list, because replies promise durability (a promise or an ack that a crash could undo
 * breaks the quorum arguments).
 */
public sealed interface Effect {
  /**
   * Write the replica's new meta and its log change in ONE synced write batch (RocksDB:
   * {@code DeleteRange(truncateAfter+1 ..)} if it truncates, a {@code Put} per appended entry, a
   * {@code Put} of the meta; {@code sync = true}). Later steps must see the change at once (the
   * {@link ReplicaLog} contract), even before the batch is durable.
   *
   * <p>{@code sync} false: the change only raises lac (a {@code Commit}). The driver may count it
   * as done once written, before an fsync, and release what waits behind it; a crash may then take
   * the lac back to its last durable value. Why that is safe: lac only says which entries a quorum
   * already holds durably; a replica with a lower lac serves fewer entries and keeps its log (a
   * writer re-sends the commit point), and recovery never relies on a replica's lac being durable
   * (it adopts the best log of a quorum, docs/replication-research.md §3.2). The simulator's crashes
   * drop such changes like any other not yet fsynced.
   */
  record Persist(ReplicaState state, LogChange log, boolean sync) implements Effect {
    public Persist(ReplicaState state, LogChange log) {
      this(state, log, true);
    }
  }

  record Send(Address to, Message message) implements Effect {}

  /**
   * Entries with seq in {@code (afterSeq, upToSeq]} became known committed. From a {@link Replica}: its
   * lac moved; once the preceding {@link Persist} is durable the driver may materialize those entries
   * (read them from its log) into the stream's readable state. From a {@link Writer}: its lac moved
   * (every {@code Appended} for those seqs is in the same effect list).
   */
  record Committed(long afterSeq, long upToSeq) implements Effect {
    public Committed {
      if (upToSeq <= afterSeq || afterSeq < 0) throw new IllegalArgumentException("empty committed range (" + afterSeq + ", " + upToSeq + "]");
    }
  }

  /** Deliver {@code timer} back to the writer after {@code delayMillis} (replaces a pending one with the same key). */
  record SetTimer(Writer.Timer timer, long delayMillis) implements Effect {}
}
