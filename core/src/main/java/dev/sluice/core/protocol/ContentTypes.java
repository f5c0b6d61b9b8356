package dev.sluice.core.protocol;

import java.util.Locale;

/**
 * Content-type rules. A stream's content type is echoed exactly as stored; comparisons use the
 * normalized form: media type only, lower case, parameters dropped (PROTOCOL.md §5.1, the suite
 * checks {@code APPLICATION/JSON} equals {@code application/json; charset=utf-8}).
 */
public final class ContentTypes {
  public static final String DEFAULT = "application/octet-stream";
  public static final String JSON = "application/json";

  private ContentTypes() {}

  /** {@code type/subtype} in lower case without parameters; null for null or blank input. */
  public static String normalize(String contentType) {
    if (contentType == null) return null;
    int semi = contentType.indexOf(';');
    String media = (semi >= 0 ? contentType.substring(0, semi) : contentType).trim();
    return media.isEmpty() ? null : media.toLowerCase(Locale.ROOT);
  }

  public static boolean sameType(String a, String b) {
    String na = normalize(a);
    return na != null && na.equals(normalize(b));
  }

  /** JSON mode applies to {@code application/json} (any parameters, any case). */
  public static boolean isJson(String contentType) {
    return JSON.equals(normalize(contentType));
  }

  /**
   * SSE carries text and JSON as UTF-8 text; everything else is base64 (PROTOCOL.md §5.8,
   * {@code Stream-SSE-Data-Encoding}).
   */
  public static boolean isSseText(String contentType) {
    String n = normalize(contentType);
    return n != null && (n.startsWith("text/") || n.equals(JSON));
  }

  /** A syntactically plausible media type {@code token/token}; malformed values count as absent. */
  public static boolean isWellFormed(String contentType) {
    String n = normalize(contentType);
    if (n == null) return false;
    int slash = n.indexOf('/');
    return slash > 0 && slash < n.length() - 1 && n.indexOf('/', slash + 1) < 0 && n.chars().noneMatch(Character::isWhitespace);
  }
}
