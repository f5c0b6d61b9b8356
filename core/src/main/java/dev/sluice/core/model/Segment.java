package dev.sluice.core.model;

import dev.sluice.core.CborSerializable;

/**
 * A half-open byte range {@code [start, end)} of a stream's offset space that is stored under
 * {@code storeId}. A fork's read path is its inherited segments followed by its own segment
 * (PROTOCOL.md fork section: a fork shares the source's offset space, no translation).
 */
public record Segment(long storeId, long start, long end) implements CborSerializable {
  public Segment {
    if (start < 0 || end < start) throw new IllegalArgumentException("bad segment " + start + ".." + end);
  }
}
