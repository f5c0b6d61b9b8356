package dev.sluice.core.protocol;

/**
 * Where a read starts: the {@code offset} query parameter (PROTOCOL.md §5.6). {@code -1} or no
 * parameter is {@link Start}; {@code now} is {@link Now} (the current tail, no history).
 */
public sealed interface ReadFrom {
  enum Start implements ReadFrom { INSTANCE }

  enum Now implements ReadFrom { INSTANCE }

  record At(Offset offset) implements ReadFrom {}

  /** Parses a present {@code offset} value; null if malformed (the caller answers 400). */
  static ReadFrom parseOrNull(String raw) {
    if (raw == null) return null;
    if (raw.equals("-1")) return Start.INSTANCE;
    if (raw.equals("now")) return Now.INSTANCE;
    Offset o = Offset.parseOrNull(raw);
    return o == null ? null : new At(o);
  }
}
