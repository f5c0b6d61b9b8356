package dev.sluice.persistence.store;

/**
 * INTERNAL API. Value of {@code node/replica}: how this disk joined the replica set, recorded once,
 * the first time the node serves as a replica from it (layout in {@link KeyLayout}). Immutable.
 *
 * <ul>
 *   <li>{@code replica}: the ordinal the disk serves under. Every replica meta on it says so, and
 *       peers know it by that ordinal; serving it under another one would mix two replicas' promises.
 *   <li>{@code replacedDisk}: the disk joined a replica set that was already running without it (a
 *       lost or wiped disk's replacement), so it may be missing promises and acks its predecessor
 *       gave: streams it has no meta for start in limbo.
 * </ul>
 */
public record ReplicaMembership(int replica, boolean replacedDisk) {
  private static final int FORMAT = 1;

  public ReplicaMembership {
    if (replica < 0 || replica > 0xFFFF) {
      throw new IllegalArgumentException("replica ordinal must be 0..65535, was " + replica);
    }
  }

  public byte[] encode() {
    return new RecordWriter(4).u8(FORMAT).u16(replica).u8(replacedDisk ? 1 : 0).finish(KeyLayout.NODE_REPLICA);
  }

  /** @throws CorruptRecordException on a checksum or format mismatch */
  public static ReplicaMembership decode(byte[] value) {
    RecordReader r = new RecordReader(KeyLayout.NODE_REPLICA, value, "replica membership");
    r.expectFormat(FORMAT);
    int replica = r.u16();
    int replaced = r.u8();
    r.expectEnd();
    if (replaced > 1) {
      throw new CorruptRecordException("replica membership record has a bad flag " + replaced);
    }
    return new ReplicaMembership(replica, replaced == 1);
  }
}
