package dev.sluice.http;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.apache.pekko.util.ByteString;
import org.apache.pekko.util.ByteStringBuilder;

/**
 * Follows the framing of the requests on one connection, byte by byte, to find each request head
 * before Pekko's parser does, so that {@link Http10TransferEncodingGuard} can answer one that Pekko
 * would turn into a 500. Pure: no I/O, no clock; one instance per connection, not thread-safe.
 *
 * <p>The one request it refuses: HTTP/1.0 with a {@code Transfer-Encoding} header (RFC 9112 §6.1:
 * faulty framing, answer 400 and close). Pekko HTTP 1.3 frames such a request as chunked and then
 * fails building its request model, outside every handler a server can install: a 500.
 *
 * <p>Framing follows RFC 9112 §6 the way Pekko's parser does: a body is {@code Content-Length} bytes,
 * or chunked when the last transfer coding is {@code chunked}, or empty. Being wrong here must never
 * refuse a good request, so on anything this class is not sure Pekko frames the same way (duplicate
 * or malformed lengths, a transfer coding other than chunked, obsolete line folding, whitespace
 * before a colon, an upgrade, an oversized head) it stops looking for the rest of the connection
 * ({@link #transparent}) and Pekko alone decides, as it did before. Pekko closes the connection
 * after each of those anyway, except for the upgrade and a non-chunked coding on HTTP/1.1.
 */
final class RequestFraming {
  /** Larger than any head Pekko accepts with its default limits; past it, Pekko answers 4xx itself. */
  static final int MAX_HEAD_BYTES = 64 * 1024;

  private enum State { HEAD, BODY, CHUNK_SIZE, CHUNK_DATA, CHUNK_DATA_END, TRAILERS, TRANSPARENT, REJECTED }

  private State state = State.HEAD;
  /** Bytes of the connection seen so far. */
  private long seen;
  /** Bytes of the connection that may go to Pekko: everything before the head being read. */
  private long cleared;
  /** The head being read (HEAD), or the current chunk-size or trailer line. */
  private final ByteStringBuilder line = new ByteStringBuilder();
  private final ByteStringBuilder head = new ByteStringBuilder();
  /** Body or chunk bytes still to come (BODY, CHUNK_DATA). */
  private long remaining;
  /** CHUNK_DATA_END: the CR after a chunk's data was seen. */
  private boolean sawCr;
  private String rejection;

  /**
   * Reads the next bytes of the connection; returns how many bytes of the connection, from its
   * start, may go to Pekko now (never fewer than before).
   */
  long accept(ByteString bytes) {
    int i = 0;
    int n = bytes.length();
    while (i < n && state != State.TRANSPARENT && state != State.REJECTED) {
      switch (state) {
        case BODY, CHUNK_DATA -> {
          int take = (int) Math.min(remaining, n - i);
          i += take;
          remaining -= take;
          seen += take;
          cleared = seen;
          if (remaining == 0) {
            if (state == State.BODY) startHead();
            else {
              state = State.CHUNK_DATA_END;
              sawCr = false;
            }
          }
        }
        default -> {
          byte b = bytes.apply(i++);
          seen++;
          step(b);
        }
      }
    }
    if (state == State.TRANSPARENT) cleared = seen + (n - i);
    if (state != State.REJECTED) seen += n - i;
    return cleared;
  }

  /** Whether the request after the cleared bytes is refused; Pekko must not see it. */
  boolean rejected() {
    return state == State.REJECTED;
  }

  /** Why the request was refused (the body of the 400), or null. */
  String rejection() {
    return rejection;
  }

  /** Whether this connection is no longer followed (every byte goes to Pekko as it is). */
  boolean transparent() {
    return state == State.TRANSPARENT;
  }

  private void step(byte b) {
    switch (state) {
      case HEAD -> headByte(b);
      case CHUNK_SIZE -> {
        cleared = seen;
        if (!lineByte(b)) return;
        long size = chunkSize(takeLine());
        if (size < 0) state = State.TRANSPARENT;
        else if (size == 0) state = State.TRAILERS;
        else {
          remaining = size;
          state = State.CHUNK_DATA;
        }
        cleared = seen;
      }
      case CHUNK_DATA_END -> {
        if (b == '\r' && !sawCr) sawCr = true;
        else if (b == '\n') state = State.CHUNK_SIZE;
        else state = State.TRANSPARENT;
        cleared = seen;
      }
      case TRAILERS -> {
        cleared = seen;
        if (!lineByte(b)) return;
        if (takeLine().isEmpty()) startHead();
      }
      default -> throw new IllegalStateException(state.name());
    }
  }

  /** Appends {@code b} to the current line; true when it ended it (LF; a CR before it is dropped). */
  private boolean lineByte(byte b) {
    if (b == '\n') return true;
    if (line.length() >= MAX_HEAD_BYTES) {
      state = State.TRANSPARENT;
      return false;
    }
    line.putByte(b);
    return false;
  }

  private String takeLine() {
    String s = line.result().utf8String();
    line.clear();
    return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
  }

  private void startHead() {
    state = State.HEAD;
    head.clear();
    line.clear();
    cleared = seen;
  }

  private void headByte(byte b) {
    // Empty lines before a request line are ignored (RFC 9112 §2.2); they go to Pekko with the head.
    if (head.length() == 0 && line.length() == 0 && (b == '\r' || b == '\n')) return;
    if (head.length() + line.length() >= MAX_HEAD_BYTES) {
      state = State.TRANSPARENT;
      return;
    }
    if (b != '\n') {
      line.putByte(b);
      return;
    }
    String l = takeLine();
    if (!l.isEmpty()) {
      head.putBytes(l.getBytes(StandardCharsets.ISO_8859_1)).putByte((byte) '\n');
      return;
    }
    decide(head.result().decodeString(StandardCharsets.ISO_8859_1));
    head.clear();
  }

  /** A complete head (lines joined by LF, no empty line): where its body ends, or a refusal. */
  private void decide(String requestHead) {
    String[] lines = requestHead.split("\n");
    String[] requestLine = lines[0].split(" ");
    String version = requestLine[requestLine.length - 1];
    if (requestLine[0].equals("CONNECT")) {
      state = State.TRANSPARENT;
      return;
    }
    String length = null;
    String codings = null;
    for (int k = 1; k < lines.length; k++) {
      String h = lines[k];
      int colon = h.indexOf(':');
      if (colon <= 0 || h.charAt(0) == ' ' || h.charAt(0) == '\t' || Character.isWhitespace(h.charAt(colon - 1))) {
        state = State.TRANSPARENT; // obsolete folding or a malformed field: Pekko decides alone
        return;
      }
      String name = h.substring(0, colon).toLowerCase(Locale.ROOT);
      String value = h.substring(colon + 1).trim();
      switch (name) {
        case "content-length" -> {
          if (length != null && !length.equals(value)) {
            state = State.TRANSPARENT;
            return;
          }
          length = value;
        }
        case "transfer-encoding" -> codings = codings == null ? value : codings + "," + value;
        case "upgrade" -> {
          state = State.TRANSPARENT;
          return;
        }
        default -> { }
      }
    }
    if (codings != null && version.equals("HTTP/1.0")) {
      state = State.REJECTED;
      rejection = "Transfer-Encoding is not allowed on an HTTP/1.0 request (RFC 9112 section 6.1): send Content-Length,"
          + " or use HTTP/1.1 for a chunked body";
      return;
    }
    if (codings != null) {
      String last = codings.substring(codings.lastIndexOf(',') + 1).trim();
      if (!last.equalsIgnoreCase("chunked") || length != null) {
        state = State.TRANSPARENT;
        return;
      }
      state = State.CHUNK_SIZE;
      cleared = seen;
      return;
    }
    long bodyBytes = length == null ? 0 : parseLength(length);
    if (bodyBytes < 0) {
      state = State.TRANSPARENT;
      return;
    }
    cleared = seen;
    if (bodyBytes == 0) startHead();
    else {
      remaining = bodyBytes;
      state = State.BODY;
    }
  }

  private static long parseLength(String s) {
    if (s.isEmpty() || s.length() > 18) return -1;
    for (int k = 0; k < s.length(); k++) {
      if (s.charAt(k) < '0' || s.charAt(k) > '9') return -1;
    }
    return Long.parseLong(s);
  }

  /** The size of a chunk-size line ({@code hex[;ext]}), or -1 when it is not one. */
  private static long chunkSize(String l) {
    int end = 0;
    while (end < l.length() && Character.digit(l.charAt(end), 16) >= 0) end++;
    if (end == 0 || end > 15) return -1;
    String rest = l.substring(end).stripLeading();
    if (!rest.isEmpty() && rest.charAt(0) != ';') return -1;
    return Long.parseLong(l.substring(0, end), 16);
  }
}
