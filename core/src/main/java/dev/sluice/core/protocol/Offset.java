package dev.sluice.core.protocol;

import java.util.regex.Pattern;

/**
 * A stream offset: {@code %016d_%016d}, an epoch-like high field (always 0 today) and the byte
 * position in the stream. Fixed width, so the string order equals the numeric order
 * (PROTOCOL.md §6 "Offsets": lexicographically ordered, opaque to clients).
 *
 * <p>Values the server issues always have {@code hi == 0}; a well-formed client value with a
 * higher {@code hi} (the suite's {@code 9999999999999999_9999999999999999}) sorts beyond every
 * tail. Thread-safe (immutable).
 */
public record Offset(long hi, long position) implements Comparable<Offset> {
  public static final Offset ZERO = new Offset(0, 0);

  private static final Pattern FORMAT = Pattern.compile("^(\\d{1,18})_(\\d{1,18})$");

  public Offset {
    if (hi < 0 || position < 0) throw new IllegalArgumentException("negative offset field");
  }

  public static Offset at(long position) {
    return new Offset(0, position);
  }

  /** Parses a concrete offset token (not the sentinels {@code -1}/{@code now}); null if malformed. */
  public static Offset parseOrNull(String s) {
    if (s == null) return null;
    var m = FORMAT.matcher(s);
    if (!m.matches()) return null;
    return new Offset(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)));
  }

  /** True when this offset lies beyond any position a stream can reach. */
  public boolean isBeyondAnyTail() {
    return hi > 0;
  }

  /** The byte position, or {@link Long#MAX_VALUE} for offsets beyond any tail. */
  public long positionOrMax() {
    return hi > 0 ? Long.MAX_VALUE : position;
  }

  @Override
  public int compareTo(Offset o) {
    int c = Long.compare(hi, o.hi);
    return c != 0 ? c : Long.compare(position, o.position);
  }

  /** The wire form, {@code %016d_%016d}. */
  public String format() {
    // Same output as String.format("%016d_%016d", ...), which costs a Formatter and a locale lookup
    // on every response that carries an offset (visible in profiles of the append path).
    StringBuilder b = new StringBuilder(33);
    zeroPadded(b, hi);
    b.append('_');
    zeroPadded(b, position);
    return b.toString();
  }

  /** {@code v} (never negative) in decimal, left-padded with zeros to at least 16 digits. */
  private static void zeroPadded(StringBuilder b, long v) {
    String digits = Long.toString(v);
    for (int i = digits.length(); i < 16; i++) {
      b.append('0');
    }
    b.append(digits);
  }

  @Override
  public String toString() {
    return format();
  }
}
