package dev.sluice.actors.stream;

import dev.sluice.core.Bytes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import dev.sluice.actors.stream.StreamEntity.Upload;

/**
 * The parts of large bodies a stream's entity has received, per upload, until the command that
 * refers to them arrives (docs/design.md "Large bodies"). A body above Artery's maximum frame
 * cannot travel in one message, so the gateway tells its parts in order and then asks with an
 * {@link Upload} reference. An upload unused for {@code ttlMillis} (its command was lost, or its
 * ask timed out) is dropped on the next {@link #expire}, so partial uploads do not hold memory.
 *
 * <p>Not thread-safe; confined to the entity. Time is passed in.
 */
final class BodyUploads {
  private static final class Partial {
    final List<BodySlice> parts = new ArrayList<>();
    long length;
    long lastMillis;
    /** A part arrived out of order: the upload can never complete. */
    boolean broken;
  }

  private final long ttlMillis;
  private final Map<String, Partial> uploads = new HashMap<>();

  BodyUploads(long ttlMillis) {
    this.ttlMillis = ttlMillis;
  }

  boolean isEmpty() {
    return uploads.isEmpty();
  }

  /** Adds part {@code index} of upload {@code id}; parts arrive in order, from 0. */
  void add(String id, int index, BodySlice part, long now) {
    Partial p = uploads.computeIfAbsent(id, k -> new Partial());
    p.lastMillis = now;
    if (p.broken) return;
    if (index != p.parts.size()) {
      p.broken = true;
      p.parts.clear();
      return;
    }
    p.parts.add(part);
    p.length += part.length();
  }

  /**
   * Removes upload {@code u} and returns its body, or null when its parts are missing or incomplete
   * (never sent, dropped in transit, or expired). Without a copy when the parts are the consecutive
   * ranges of one array (they came from this node).
   */
  Bytes take(Upload u) {
    Partial p = uploads.remove(u.id());
    if (p == null || p.broken || p.parts.size() != u.parts() || p.length != u.length()) return null;
    byte[] first = p.parts.get(0).array();
    if (first.length == u.length() && sharesOneArray(p.parts, first)) return Bytes.wrap(first);
    byte[] out = new byte[u.length()];
    int at = 0;
    for (BodySlice s : p.parts) {
      System.arraycopy(s.array(), s.offset(), out, at, s.length());
      at += s.length();
    }
    return Bytes.wrap(out);
  }

  private static boolean sharesOneArray(List<BodySlice> parts, byte[] array) {
    int at = 0;
    for (BodySlice s : parts) {
      if (s.array() != array || s.offset() != at) return false;
      at += s.length();
    }
    return true;
  }

  /** Drops uploads that received nothing for {@code ttlMillis}. */
  void expire(long now) {
    for (Iterator<Partial> it = uploads.values().iterator(); it.hasNext(); ) {
      if (now - it.next().lastMillis >= ttlMillis) it.remove();
    }
  }

  int size() {
    return uploads.size();
  }
}
