package dev.sluice.core.spi;

import dev.sluice.core.Bytes;

/**
 * One stored append unit: the bytes of one accepted append (for JSON streams: its flattened
 * messages, compact, joined by {@code ,}) at the stream byte position where it starts.
 * The next unit of the same store starts at {@code position + data.length()}.
 */
public record DataUnit(long position, Bytes data) {
  public long end() {
    return position + data.length();
  }
}
