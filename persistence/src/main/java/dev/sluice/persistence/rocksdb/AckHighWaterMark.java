package dev.sluice.persistence.rocksdb;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * INTERNAL API. The highest RocksDB sequence number the node has ever acknowledged, kept in a small
 * file of its own beside the database, OUTSIDE the write-ahead log it vouches for.
 *
 * <p>Why: RocksDB's WAL recovery cannot tell a log that was cut or damaged from a shorter healthy
 * one: in point-in-time mode it silently stops at the first bad record. Every acknowledged write was
 * fsynced first, so after a restart the recovered sequence number must reach this mark; if it does
 * not, acknowledged data is gone and the node must refuse to start instead of re-using offsets
 * (see {@code docs/design.md}, "Damaged write-ahead log").
 *
 * <p>Format: two slots of {@value #SLOT_BYTES} bytes, {@code [sequence:8][generation:8][crc32c:4]
 * [zero:4]}, written alternately and fsynced ({@code fdatasync}) before the writes they cover are
 * acknowledged. A torn write can only damage the slot being written; the other still holds the
 * previous mark, which is lower but still a valid lower bound of what was acknowledged.
 *
 * <p>Not thread-safe: written by the group-commit writer thread only.
 */
final class AckHighWaterMark implements AutoCloseable {

  /** File name inside the data directory. */
  static final String FILE_NAME = "SLUICE-ACKED-SEQUENCE";

  static final int SLOT_BYTES = 24;

  private final FileChannel channel;
  private final ByteBuffer slot = ByteBuffer.allocate(SLOT_BYTES);
  private long value;
  private long generation;

  private AckHighWaterMark(FileChannel channel, long value, long generation) {
    this.channel = channel;
    this.value = value;
    this.generation = generation;
  }

  /** Opens (creating if missing, then with value 0) the mark in {@code file}. */
  static AckHighWaterMark open(Path file) {
    try {
      FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
          StandardOpenOption.WRITE);
      try {
        Slot a = readSlot(ch, 0);
        Slot b = readSlot(ch, SLOT_BYTES);
        Slot newest = a == null ? b : b == null ? a : a.generation >= b.generation ? a : b;
        if (newest == null && ch.size() > 0) {
          throw new RocksDbStorageException("acknowledgement mark " + file.toAbsolutePath()
              + " is unreadable (both copies fail their checksum); it was damaged outside Sluice");
        }
        return newest == null ? new AckHighWaterMark(ch, 0, 0) : new AckHighWaterMark(ch, newest.sequence, newest.generation);
      } catch (IOException | RuntimeException e) {
        ch.close();
        throw e;
      }
    } catch (IOException e) {
      throw new RocksDbStorageException("cannot open acknowledgement mark " + file.toAbsolutePath(), e);
    }
  }

  /** Whether the file has never been written (a new data directory, or one from before the mark). */
  boolean isUnset() {
    return generation == 0;
  }

  /** The highest acknowledged sequence number recorded (0 if none). */
  long value() {
    return value;
  }

  /**
   * Durably raises the mark to {@code sequence} (no-op if not higher). Returns once it is fsynced.
   *
   * @throws RocksDbStorageException if it cannot be written; callers must then not acknowledge
   */
  void advanceTo(long sequence) {
    if (sequence <= value && !isUnset()) {
      return;
    }
    long next = generation + 1;
    slot.clear();
    slot.putLong(sequence).putLong(next);
    CRC32C crc = new CRC32C();
    crc.update(slot.array(), 0, 16);
    slot.putInt((int) crc.getValue()).putInt(0).flip();
    try {
      long position = (next % 2) * SLOT_BYTES;
      while (slot.hasRemaining()) {
        position += channel.write(slot, position);
      }
      channel.force(false);
    } catch (IOException e) {
      throw new RocksDbStorageException("cannot record acknowledged sequence " + sequence, e);
    }
    value = sequence;
    generation = next;
  }

  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException ignored) {
      // Every value was forced when written; nothing is lost by a failed close.
    }
  }

  private record Slot(long sequence, long generation) {}

  private static Slot readSlot(FileChannel ch, long position) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(SLOT_BYTES);
    while (b.hasRemaining()) {
      if (ch.read(b, position + b.position()) < 0) {
        return null;
      }
    }
    CRC32C crc = new CRC32C();
    crc.update(b.array(), 0, 16);
    if (b.getInt(16) != (int) crc.getValue() || b.getLong(8) <= 0) {
      return null;
    }
    return new Slot(b.getLong(0), b.getLong(8));
  }
}
