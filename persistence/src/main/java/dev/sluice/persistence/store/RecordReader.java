package dev.sluice.persistence.store;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * INTERNAL API. Reads a value written by {@link RecordWriter}, verifying its CRC32C (over
 * {@code key ++ fields}) before any field is read.
 *
 * <p>Not thread-safe; one instance per record.
 */
final class RecordReader {
  private final ByteBuffer in;
  private final String what;

  /** @throws CorruptRecordException if the value is too short or its checksum does not match */
  RecordReader(byte[] key, byte[] value, String what) {
    this.what = what;
    if (value.length < 5) {
      throw new CorruptRecordException(what + " record too short: " + value.length + " bytes");
    }
    int fieldsLen = value.length - 4;
    CRC32C crc = new CRC32C();
    crc.update(key);
    crc.update(value, 0, fieldsLen);
    int stored = ByteBuffer.wrap(value, fieldsLen, 4).getInt();
    if ((int) crc.getValue() != stored) {
      throw new CorruptRecordException(what + " record failed its CRC32C check");
    }
    this.in = ByteBuffer.wrap(value, 0, fieldsLen);
  }

  int u8() {
    return guard(() -> in.get() & 0xFF);
  }

  int u16() {
    return guard(() -> in.getShort() & 0xFFFF);
  }

  int i32() {
    return guard(in::getInt);
  }

  long u64() {
    return guard(in::getLong);
  }

  String str16() {
    return guard(() -> {
      byte[] b = new byte[in.getShort() & 0xFFFF];
      in.get(b);
      return new String(b, StandardCharsets.UTF_8);
    });
  }

  byte[] bytes32() {
    return guard(() -> {
      int len = in.getInt();
      if (len < 0 || len > in.remaining()) {
        throw new CorruptRecordException(what + " record has a bad length field: " + len);
      }
      byte[] b = new byte[len];
      in.get(b);
      return b;
    });
  }

  /** Checks the format byte. Unknown formats are treated as corruption, never guessed at. */
  void expectFormat(int format) {
    int f = u8();
    if (f != format) {
      throw new CorruptRecordException(what + " record has unknown format " + f);
    }
  }

  void expectEnd() {
    if (in.hasRemaining()) {
      throw new CorruptRecordException(what + " record has " + in.remaining() + " trailing bytes");
    }
  }

  private <T> T guard(java.util.function.Supplier<T> read) {
    try {
      return read.get();
    } catch (BufferUnderflowException e) {
      throw new CorruptRecordException(what + " record is truncated");
    }
  }
}
