package dev.sluice.persistence.store;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * INTERNAL API. Builds one value in the framing of {@link dev.sluice.persistence.store.KeyLayout}:
 * big-endian fields followed by a CRC32C over {@code key ++ fields}. Covering the key as well means a
 * value copied under the wrong key (a bug, or a misdirected repair) fails its check.
 *
 * <p>Not thread-safe; one instance per record.
 */
final class RecordWriter {
  private final ByteArrayOutputStream bytes;
  private final DataOutputStream out;

  RecordWriter(int sizeHint) {
    bytes = new ByteArrayOutputStream(sizeHint + 4);
    out = new DataOutputStream(bytes);
  }

  RecordWriter u8(int v) {
    return io(() -> out.writeByte(v));
  }

  RecordWriter u16(int v) {
    return io(() -> out.writeShort(v));
  }

  RecordWriter i32(int v) {
    return io(() -> out.writeInt(v));
  }

  RecordWriter u64(long v) {
    return io(() -> out.writeLong(v));
  }

  /** A UTF-8 string with a {@code u16} length prefix. */
  RecordWriter str16(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    if (b.length > 0xFFFF) {
      throw new IllegalArgumentException("string field longer than 65535 bytes: " + b.length);
    }
    return io(() -> {
      out.writeShort(b.length);
      out.write(b);
    });
  }

  /** Bytes with a {@code u32} length prefix. */
  RecordWriter bytes32(byte[] b) {
    return io(() -> {
      out.writeInt(b.length);
      out.write(b);
    });
  }

  /** Appends the CRC32C of {@code key ++ fields} and returns the finished value. */
  byte[] finish(byte[] key) {
    CRC32C crc = new CRC32C();
    crc.update(key);
    byte[] fields = bytes.toByteArray();
    crc.update(fields);
    byte[] value = new byte[fields.length + 4];
    System.arraycopy(fields, 0, value, 0, fields.length);
    int c = (int) crc.getValue();
    value[fields.length] = (byte) (c >>> 24);
    value[fields.length + 1] = (byte) (c >>> 16);
    value[fields.length + 2] = (byte) (c >>> 8);
    value[fields.length + 3] = (byte) c;
    return value;
  }

  private RecordWriter io(IoAction a) {
    try {
      a.run();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // cannot happen: ByteArrayOutputStream does no IO
    }
    return this;
  }

  @FunctionalInterface
  private interface IoAction {
    void run() throws IOException;
  }
}
