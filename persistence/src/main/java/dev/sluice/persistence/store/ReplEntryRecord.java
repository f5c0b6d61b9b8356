package dev.sluice.persistence.store;

import dev.sluice.replication.Entry;
import dev.sluice.replication.Payload;
import dev.sluice.replication.ProducerStamp;

/**
 * INTERNAL API. Value of a {@code repl} entry key: one entry of a stream's replicated log, as the
 * replica accepted it (layout in {@link KeyLayout}). The entry's seq is the key's last field, so it is
 * not repeated in the value; the CRC32C covers the key, so an entry stored under the wrong seq or
 * stream fails its check.
 *
 * <p>Thread-safe (stateless).
 */
public final class ReplEntryRecord {
  private static final int FORMAT = 1;

  private ReplEntryRecord() {}

  /** {@code key} must be {@link KeyLayout#replEntryKey} of {@code entry}'s stream and seq. */
  public static byte[] encode(byte[] key, Entry entry) {
    ProducerStamp p = entry.producer();
    int size = 1 + 8 + 1 + (p == null ? 0 : 2 + p.id().length() * 3 + 16) + 4 + entry.payload().size();
    RecordWriter w = new RecordWriter(size).u8(FORMAT).u64(entry.epoch());
    if (p == null) {
      w.u8(0);
    } else {
      w.u8(1).str16(p.id()).u64(p.epoch()).u64(p.seq());
    }
    return w.bytes32(entry.payload().bytes()).finish(key);
  }

  /** @throws CorruptRecordException on a checksum or format mismatch */
  public static Entry decode(byte[] key, byte[] value) {
    RecordReader r = new RecordReader(key, value, "repl entry");
    r.expectFormat(FORMAT);
    long epoch = r.u64();
    ProducerStamp producer = producer(r);
    byte[] payload = r.bytes32();
    r.expectEnd();
    return new Entry(KeyLayout.seqNrOf(key), epoch, new Payload(payload), producer);
  }

  /**
   * Only the payload bytes (checksum verified), without building an {@link Entry}, whose
   * {@link Payload} would copy them twice: what materialization needs.
   */
  public static byte[] payload(byte[] key, byte[] value) {
    RecordReader r = new RecordReader(key, value, "repl entry");
    r.expectFormat(FORMAT);
    r.u64();
    producer(r);
    byte[] payload = r.bytes32();
    r.expectEnd();
    return payload;
  }

  private static ProducerStamp producer(RecordReader r) {
    return switch (r.u8()) {
      case 0 -> null;
      case 1 -> producer(r.str16(), r.u64(), r.u64());
      default -> throw new CorruptRecordException("repl entry record has a bad producer flag");
    };
  }

  private static ProducerStamp producer(String id, long epoch, long seq) {
    try {
      return new ProducerStamp(id, epoch, seq);
    } catch (IllegalArgumentException e) {
      throw new CorruptRecordException("repl entry record has an invalid producer stamp: " + e.getMessage());
    }
  }
}
