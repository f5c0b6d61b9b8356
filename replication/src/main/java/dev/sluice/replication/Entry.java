package dev.sluice.replication;

import java.util.Objects;

/**
 * One journal entry. {@code seq} is the stream offset (1-based, dense). {@code epoch} is the epoch of the
 * writer that last wrote it: recovery re-stamps adopted entries, so an entry's epoch can be newer than
 * the one that first appended it. {@code producer} is null for a plain append.
 *
 * <p>Invariant relied on by the log-matching check: one writer epoch writes a given seq at most once,
 * so two replicas holding the same (seq, epoch) hold the same content.
 */
public record Entry(long seq, long epoch, Payload payload, ProducerStamp producer) {
  /** What an entry costs in a message besides its payload (seq, epoch, producer stamp, framing); an estimate. */
  public static final int OVERHEAD_BYTES = 48;

  public Entry {
    if (seq < 1) throw new IllegalArgumentException("seq starts at 1, was " + seq);
    Objects.requireNonNull(payload, "payload");
  }

  public Entry restamp(long newEpoch) {
    return new Entry(seq, newEpoch, payload, producer);
  }

  /** The size this entry counts against a message's byte budget ({@link Message#MAX_BATCH_BYTES}). */
  public long sizeBytes() {
    return OVERHEAD_BYTES + payload.size() + (producer == null ? 0 : producer.id().length());
  }

  /**
   * Same payload and producer claim at the same seq, whatever epoch stamped it. Two such entries are
   * indistinguishable to every reader; recovery re-stamps committed content, so epochs alone cannot say
   * whether two replicas agree.
   */
  public boolean sameContent(Entry o) {
    return seq == o.seq && payload.equals(o.payload) && Objects.equals(producer, o.producer);
  }
}
