package dev.sluice.actors.api;

import dev.sluice.core.rules.StreamView;
import dev.sluice.core.Bytes;
import dev.sluice.core.protocol.Offset;
import java.util.List;

/**
 * One read result: whole append units from {@code from} up to {@code next}.
 *
 * @param upToDate the chunk reaches the committed tail (PROTOCOL.md §5.6 {@code Stream-Up-To-Date})
 * @param closedAtEnd the stream is closed and this chunk reaches its final offset (EOF)
 * @param view the metadata the chunk was read against (content type etc.)
 */
public record ReadChunk(List<Bytes> units, Offset from, Offset next, boolean upToDate, boolean closedAtEnd, StreamView view) {
  public boolean isEmpty() {
    return units.isEmpty();
  }

  /**
   * Each unit decoded as UTF-8 text (for text and JSON streams: a JSON stream's units are its
   * JSON values, one per element).
   */
  public List<String> utf8Units() {
    return units.stream().map(Bytes::utf8String).toList();
  }

  public long byteCount() {
    long n = 0;
    for (Bytes b : units) n += b.length();
    return n;
  }
}
