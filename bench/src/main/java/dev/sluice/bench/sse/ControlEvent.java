package dev.sluice.bench.sse;

/**
 * The fields of an SSE {@code control} event (docs/protocol-checklist.md §11 "Control payload") that the
 * fanout client needs, read from the compact JSON object without a JSON library: the event is
 * flat, so a key lookup is enough.
 */
public record ControlEvent(String streamNextOffset, String streamCursor, boolean upToDate, boolean streamClosed) {

  public static ControlEvent parse(String json) {
    return new ControlEvent(stringField(json, "streamNextOffset"), stringField(json, "streamCursor"),
        trueField(json, "upToDate"), trueField(json, "streamClosed"));
  }

  /** The string value of {@code "name":"..."} in a flat JSON object, or null. */
  static String stringField(String json, String name) {
    int at = valueStart(json, name);
    if (at < 0 || at >= json.length() || json.charAt(at) != '"') return null;
    int end = json.indexOf('"', at + 1);
    return end < 0 ? null : json.substring(at + 1, end);
  }

  static boolean trueField(String json, String name) {
    int at = valueStart(json, name);
    return at >= 0 && json.startsWith("true", at);
  }

  private static int valueStart(String json, String name) {
    String key = "\"" + name + "\"";
    int k = json.indexOf(key);
    if (k < 0) return -1;
    int i = k + key.length();
    while (i < json.length() && Character.isWhitespace(json.charAt(i))) i++;
    if (i >= json.length() || json.charAt(i) != ':') return -1;
    i++;
    while (i < json.length() && Character.isWhitespace(json.charAt(i))) i++;
    return i;
  }
}
