package dev.sluice.persistence.store;

import dev.sluice.replication.ReplicaState;

/**
 * INTERNAL API. Value of a {@code repl} meta key: one stream's {@link ReplicaState} (its stream name
 * is the key's) plus {@code materializedUpTo}, the highest entry whose payload this replica has applied
 * to its readable columns ({@code log}, {@code meta}, {@code data}, {@code snap}). Layout in
 * {@link KeyLayout}. Immutable.
 *
 * <p>Why {@code materializedUpTo} is stored and not derived: the readable {@code meta} counts Pekko
 * sequence numbers, not entries, and a payload applied twice would trip the journal's continuity
 * guard ({@code WriteOp.MetaAppended}); this record is written in the same batch as the payloads it
 * counts, so it is exactly what was applied. Invariant: {@code materializedUpTo <= state.lac()}.
 */
public record ReplicaMetaRecord(ReplicaState state, long materializedUpTo) {
  private static final int FORMAT = 1;

  public ReplicaMetaRecord {
    if (materializedUpTo < 0 || materializedUpTo > state.lac()) {
      throw new IllegalArgumentException("materializedUpTo " + materializedUpTo + " outside [0, lac " + state.lac() + "]");
    }
  }

  public byte[] encode(byte[] key) {
    ReplicaState s = state;
    return new RecordWriter(96 + s.diskUuid().length())
        .u8(FORMAT)
        .u16(s.replica())
        .str16(s.diskUuid())
        .u64(s.promised())
        .u64(s.tailSeq())
        .u64(s.tailEpoch())
        .u64(s.lac())
        .u8(s.limbo() ? 1 : 0)
        .i32(s.limboHeard())
        .u64(s.limboTarget())
        .u64(s.limboTargetEpoch())
        .u64(materializedUpTo)
        .finish(key);
  }

  /**
   * @param stream the stream named by {@code key} (the record does not repeat it)
   * @throws CorruptRecordException on a checksum or format mismatch, or fields no replica could hold
   */
  public static ReplicaMetaRecord decode(String stream, byte[] key, byte[] value) {
    RecordReader r = new RecordReader(key, value, "replica meta");
    r.expectFormat(FORMAT);
    int replica = r.u16();
    String diskUuid = r.str16();
    long promised = r.u64();
    long tailSeq = r.u64();
    long tailEpoch = r.u64();
    long lac = r.u64();
    int limbo = r.u8();
    int heard = r.i32();
    long target = r.u64();
    long targetEpoch = r.u64();
    long materialized = r.u64();
    r.expectEnd();
    if (limbo > 1) {
      throw new CorruptRecordException("replica meta record has a bad limbo flag " + limbo);
    }
    try {
      ReplicaState s = new ReplicaState(
          stream, replica, diskUuid, promised, tailSeq, tailEpoch, lac, limbo == 1, heard, target, targetEpoch);
      return new ReplicaMetaRecord(s, materialized);
    } catch (IllegalArgumentException e) {
      throw new CorruptRecordException("replica meta record is inconsistent: " + e.getMessage());
    }
  }
}
