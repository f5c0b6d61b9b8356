package dev.sluice.http;

import dev.sluice.actors.api.ReadChunk;
import dev.sluice.core.Bytes;
import dev.sluice.core.protocol.ContentTypes;
import dev.sluice.core.protocol.Offset;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.apache.pekko.util.ByteString;

/**
 * The SSE wire format of a live read (checklist §11, §18.4), as pure functions. One read chunk
 * becomes one frame: a {@code data} event when the chunk has data, then always a {@code control}
 * event, so two data events are never adjacent (suite 0.3.6).
 *
 * <pre>
 * event: data
 * data:&lt;line 1&gt;
 * data:&lt;line 2&gt;
 *
 * event: control
 * data:{"streamNextOffset":"…","streamCursor":"…","upToDate":true}
 *
 * </pre>
 *
 * No space after {@code data:}; payloads are split on CRLF, CR and LF so they cannot inject
 * events. JSON chunks are one JSON array; binary chunks are one padded standard base64 string,
 * so every data event decodes on its own. Stateless, thread-safe.
 */
final class SseFrames {
  private SseFrames() {}

  /** How data events carry a stream's bytes (checklist §11 "Binary streams"). */
  enum Encoding {
    /** {@code text/*}: the UTF-8 text. */
    TEXT,
    /** {@code application/json}: the chunk's messages as one JSON array. */
    JSON,
    /** Anything else: base64, announced by {@code Stream-SSE-Data-Encoding: base64}. */
    BASE64;

    static Encoding forContentType(String contentType) {
      if (ContentTypes.isJson(contentType)) return JSON;
      return ContentTypes.isSseText(contentType) ? TEXT : BASE64;
    }
  }

  /** The bytes to send for {@code chunk}; {@code cursor} is used only while the stream is open. */
  static ByteString frame(ReadChunk chunk, Encoding encoding, long cursor) {
    var sb = new StringBuilder(64 + (int) Math.min(Integer.MAX_VALUE / 2, chunk.byteCount() * 4 / 3));
    if (!chunk.isEmpty()) dataEvent(sb, payload(chunk.units(), encoding));
    sb.append("event: control\n");
    sb.append("data:").append(control(chunk.next(), chunk.closedAtEnd() ? null : cursor, chunk.upToDate(),
        chunk.closedAtEnd())).append("\n\n");
    return ByteString.fromString(sb.toString(), StandardCharsets.UTF_8);
  }

  /** The text a data event carries for {@code units}. */
  static String payload(List<Bytes> units, Encoding encoding) {
    return switch (encoding) {
      case TEXT -> new String(concat(units), StandardCharsets.UTF_8);
      case BASE64 -> Base64.getEncoder().encodeToString(concat(units));
      case JSON -> {
        // A stored JSON unit is its messages joined by ',' (Payloads), so units join the same way.
        var sb = new StringBuilder().append('[');
        for (int i = 0; i < units.size(); i++) {
          if (i > 0) sb.append(',');
          sb.append(units.get(i).utf8String());
        }
        yield sb.append(']').toString();
      }
    };
  }

  /** {@code event: data}, one {@code data:} line per payload line (CRLF, CR or LF), blank line. */
  static void dataEvent(StringBuilder sb, String payload) {
    sb.append("event: data\n");
    int lineStart = 0;
    int n = payload.length();
    for (int i = 0; i < n; i++) {
      char c = payload.charAt(i);
      if (c == '\r' || c == '\n') {
        sb.append("data:").append(payload, lineStart, i).append('\n');
        if (c == '\r' && i + 1 < n && payload.charAt(i + 1) == '\n') i++;
        lineStart = i + 1;
      }
    }
    sb.append("data:").append(payload, lineStart, n).append('\n');
    sb.append('\n');
  }

  /**
   * The control event's JSON (camelCase, checklist §11 "Control payload"). {@code cursor} null
   * omits {@code streamCursor} (required while open, omitted once closed).
   */
  static String control(Offset next, Long cursor, boolean upToDate, boolean closed) {
    var sb = new StringBuilder(96).append("{\"streamNextOffset\":\"").append(next.format()).append('"');
    if (cursor != null) sb.append(",\"streamCursor\":\"").append(cursor).append('"');
    if (upToDate) sb.append(",\"upToDate\":true");
    if (closed) sb.append(",\"streamClosed\":true");
    return sb.append('}').toString();
  }

  private static byte[] concat(List<Bytes> units) {
    if (units.size() == 1) return units.get(0).unsafeArray();
    int total = 0;
    for (Bytes b : units) total += b.length();
    byte[] out = new byte[total];
    int at = 0;
    for (Bytes b : units) {
      System.arraycopy(b.unsafeArray(), 0, out, at, b.length());
      at += b.length();
    }
    return out;
  }
}
