package dev.sluice.persistence.store;

/**
 * INTERNAL API. Value of a {@code meta} key: the replica-local state of one persistenceId, shaped for
 * fenced quorum replication ({@code persistence/design-notes.md} §7) although only the
 * single-replica subset is used today. Layout in {@link dev.sluice.persistence.store.KeyLayout}. Immutable.
 *
 * <ul>
 *   <li>{@code promisedEpoch}: highest epoch promised to a fencing writer (0 until fencing exists).
 *   <li>{@code tailSeq}, {@code tailEpoch}: last seqNr in {@code log} and the epoch it was written in.
 *   <li>{@code lac}: last add confirmed. With one replica a synced write is committed, so it equals
 *       {@code tailSeq}.
 *   <li>{@code deletedTo}: events {@code <= deletedTo} were deleted by {@code deleteMessagesTo}.
 *   <li>{@code highestEver}: highest seqNr ever written; never decreases, not even on delete,
 *       because Pekko would otherwise reuse sequence numbers (journal TCK).
 * </ul>
 */
public record MetaRecord(
    long promisedEpoch, long tailSeq, long tailEpoch, long lac, long deletedTo, long highestEver) {

  /** State of a persistenceId that was never written. */
  public static final MetaRecord EMPTY = new MetaRecord(0, 0, 0, 0, 0, 0);

  private static final int FORMAT = 1;

  /** After events up to {@code lastSeq} were appended by a writer in {@code epoch}. */
  public MetaRecord appended(long lastSeq, long epoch) {
    long tail = Math.max(tailSeq, lastSeq);
    // One replica: the synced write is the commit, so LAC moves with the tail.
    return new MetaRecord(
        Math.max(promisedEpoch, epoch), tail, epoch, tail, deletedTo, Math.max(highestEver, tail));
  }

  /** After {@code deleteMessagesTo(toSeq)}; deletes never move past what was written. */
  public MetaRecord deletedUpTo(long toSeq) {
    long effective = Math.max(deletedTo, Math.min(toSeq, highestEver));
    return new MetaRecord(promisedEpoch, tailSeq, tailEpoch, lac, effective, highestEver);
  }

  public byte[] encode(byte[] key) {
    return new RecordWriter(1 + 6 * 8)
        .u8(FORMAT)
        .u64(promisedEpoch)
        .u64(tailSeq)
        .u64(tailEpoch)
        .u64(lac)
        .u64(deletedTo)
        .u64(highestEver)
        .finish(key);
  }

  /** @throws dev.sluice.persistence.store.CorruptRecordException on checksum or format mismatch */
  public static MetaRecord decode(byte[] key, byte[] value) {
    RecordReader r = new RecordReader(key, value, "meta");
    r.expectFormat(FORMAT);
    MetaRecord m = new MetaRecord(r.u64(), r.u64(), r.u64(), r.u64(), r.u64(), r.u64());
    r.expectEnd();
    return m;
  }
}
