package dev.sluice.persistence.store;

/**
 * INTERNAL API. Value of a {@code log} key: one event as a serialized {@code PersistentRepr}, plus the
 * epoch of the writer that stored it and its writerUuid, kept outside the blob so that replication
 * (log matching, recovery re-stamping: {@code persistence/design-notes.md} §7) can read them
 * without Pekko serialization. Layout in {@link dev.sluice.persistence.store.KeyLayout}. Immutable.
 */
public record LogRecord(long epoch, String writerUuid, SerializedBlob repr) {
  private static final int FORMAT = 1;

  public byte[] encode(byte[] key) {
    RecordWriter w = new RecordWriter(1 + 8 + 2 + writerUuid.length() + repr.encodedSize());
    w.u8(FORMAT).u64(epoch).str16(writerUuid);
    repr.writeTo(w);
    return w.finish(key);
  }

  /** @throws dev.sluice.persistence.store.CorruptRecordException on checksum or format mismatch */
  public static LogRecord decode(byte[] key, byte[] value) {
    RecordReader r = new RecordReader(key, value, "log");
    r.expectFormat(FORMAT);
    LogRecord rec = new LogRecord(r.u64(), r.str16(), SerializedBlob.readFrom(r));
    r.expectEnd();
    return rec;
  }
}
