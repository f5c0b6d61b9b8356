package dev.sluice.replication;

/**
 * One journal entry. {@code seq} is the stream offset (1-based, dense). {@code epoch} is the epoch of the
 * writer that last wrote it: recovery re-stamps adopted entries, so an entry's epoch can be newer than
 * the one that first appended it. {@code producer} is null for a plain append.
 *
 * <p>Invariant relied on by the log-matching check: one writer epoch writes a given seq at most once,
 * so two replicas holding the same (seq, epoch) hold the same content.
 */
public record Entry(long seq, long epoch, Payload payload, ProducerStamp producer) {
  public Entry {
    if (seq < 1) throw new IllegalArgumentException("seq starts at 1, was " + seq);
  }

  public Entry restamp(long newEpoch) {
    return new Entry(seq, newEpoch, payload, producer);
  }
}
