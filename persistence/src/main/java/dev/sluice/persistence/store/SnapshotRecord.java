package dev.sluice.persistence.store;

import java.util.Optional;

/**
 * INTERNAL API. Value of a {@code snap} key: the serialized snapshot, its timestamp, the optional
 * serialized {@code SnapshotMetadata.metadata}, and the writer epoch (0 until fencing exists, kept so
 * fenced snapshot saves need no migration). Layout in
 * {@link dev.sluice.persistence.store.KeyLayout}. Immutable.
 */
public record SnapshotRecord(
    long epoch, long timestamp, SerializedBlob snapshot, Optional<SerializedBlob> metadata) {
  private static final int FORMAT = 1;

  public byte[] encode(byte[] key) {
    int size = 1 + 8 + 8 + snapshot.encodedSize() + 1 + metadata.map(SerializedBlob::encodedSize).orElse(0);
    RecordWriter w = new RecordWriter(size);
    w.u8(FORMAT).u64(epoch).u64(timestamp);
    snapshot.writeTo(w);
    w.u8(metadata.isPresent() ? 1 : 0);
    metadata.ifPresent(m -> m.writeTo(w));
    return w.finish(key);
  }

  /** @throws dev.sluice.persistence.store.CorruptRecordException on checksum or format mismatch */
  public static SnapshotRecord decode(byte[] key, byte[] value) {
    RecordReader r = new RecordReader(key, value, "snap");
    r.expectFormat(FORMAT);
    long epoch = r.u64();
    long timestamp = r.u64();
    SerializedBlob snapshot = SerializedBlob.readFrom(r);
    Optional<SerializedBlob> metadata =
        r.u8() == 1 ? Optional.of(SerializedBlob.readFrom(r)) : Optional.empty();
    r.expectEnd();
    return new SnapshotRecord(epoch, timestamp, snapshot, metadata);
  }
}
