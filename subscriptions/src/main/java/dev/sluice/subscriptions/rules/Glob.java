package dev.sluice.subscriptions.rules;

import java.util.List;

/**
 * A subscription pattern (checklist §15 "PUT __ds/subscriptions/:id"): stream paths split on
 * {@code /}; a {@code *} segment matches exactly one segment, a {@code **} segment zero or more,
 * any other segment itself. Wildcards inside a segment ({@code a*}) are refused rather than guessed.
 * Immutable, thread-safe.
 */
public final class Glob {
  public static final int MAX_LENGTH = 1024;

  private final String text;
  private final List<String> segments;

  private Glob(String text, List<String> segments) {
    this.text = text;
    this.segments = segments;
  }

  /** @throws IllegalArgumentException with a message fit for a 400 answer */
  public static Glob compile(String pattern) {
    if (pattern == null || pattern.isEmpty()) throw new IllegalArgumentException("pattern must be a non-empty string");
    if (pattern.length() > MAX_LENGTH) throw new IllegalArgumentException("pattern is longer than " + MAX_LENGTH + " characters");
    List<String> segs = List.of(pattern.split("/", -1));
    for (String s : segs) {
      if (s.isEmpty()) throw new IllegalArgumentException("pattern has an empty segment (no '//', no leading or trailing '/')");
      if (s.contains("*") && !s.equals("*") && !s.equals("**")) {
        throw new IllegalArgumentException("pattern segment '" + s + "': '*' and '**' must be whole segments");
      }
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) throw new IllegalArgumentException("control character in the pattern");
      }
    }
    return new Glob(pattern, segs);
  }

  public String text() {
    return text;
  }

  public List<String> segments() {
    return segments;
  }

  public boolean matches(String path) {
    return match(segments, 0, path.split("/", -1), 0);
  }

  private static boolean match(List<String> pat, int pi, String[] path, int si) {
    while (pi < pat.size()) {
      String p = pat.get(pi);
      if (p.equals("**")) {
        for (int k = si; k <= path.length; k++) {
          if (match(pat, pi + 1, path, k)) return true;
        }
        return false;
      }
      if (si >= path.length) return false;
      if (!p.equals("*") && !p.equals(path[si])) return false;
      pi++;
      si++;
    }
    return si == path.length;
  }

  @Override
  public String toString() {
    return text;
  }
}
