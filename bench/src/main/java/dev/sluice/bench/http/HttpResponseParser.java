package dev.sluice.bench.http;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/**
 * Incremental HTTP/1.1 response parser for one keep-alive connection: feed it whatever the socket
 * returned, it calls a {@link Listener} when the headers are complete, for each piece of (de-chunked)
 * body, and when the response is complete.
 *
 * <p>Handles {@code Content-Length}, {@code Transfer-Encoding: chunked} (extensions and trailers are
 * skipped), bodies delimited by connection close, interim {@code 1xx} responses, and the bodyless
 * statuses 204 and 304. The status and the framing headers are parsed from bytes without allocating;
 * only the header names given to the constructor are kept as strings ({@link #header(int)}).
 * The first {@value #ERROR_BODY_LIMIT} body bytes of a non-2xx response are kept for error reports.
 *
 * <p>Not thread-safe; confined to the event-loop thread that owns the connection.
 */
public final class HttpResponseParser {

  /** Callbacks; they run on the caller's thread from inside {@link #feed}. */
  public interface Listener {
    default void onHeaders(HttpResponseParser response) {}

    /** A piece of the (de-chunked) body; the array is only valid during the call. */
    default void onBody(byte[] data, int offset, int length) {}

    /** The response is complete; the listener may {@link #reset()} and send the next request. */
    void onComplete(HttpResponseParser response);
  }

  static final int ERROR_BODY_LIMIT = 512;
  private static final int MAX_LINE = 64 * 1024;

  private enum State { STATUS_LINE, HEADERS, BODY_FIXED, CHUNK_SIZE, CHUNK_DATA, CHUNK_DATA_END, TRAILERS, BODY_UNTIL_CLOSE, DONE }

  private final byte[][] captureNames;
  private final String[] captured;
  private State state = State.STATUS_LINE;
  private byte[] line = new byte[256];
  private int lineLen;
  private int status;
  private boolean http10;
  private long contentLength;
  private boolean chunked;
  private boolean connectionClose;
  private long remaining;
  private long bodyBytes;
  private final byte[] errorBody = new byte[ERROR_BODY_LIMIT];
  private int errorBodyLen;

  /** @param captureHeaders header names (any case) whose values {@link #header(int)} returns */
  public HttpResponseParser(String... captureHeaders) {
    captureNames = new byte[captureHeaders.length][];
    for (int i = 0; i < captureHeaders.length; i++) {
      captureNames[i] = captureHeaders[i].toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII);
    }
    captured = new String[captureHeaders.length];
    reset();
  }

  /** Prepares for the next response on the same connection. */
  public void reset() {
    state = State.STATUS_LINE;
    lineLen = 0;
    status = 0;
    http10 = false;
    contentLength = -1;
    chunked = false;
    connectionClose = false;
    remaining = 0;
    bodyBytes = 0;
    errorBodyLen = 0;
    Arrays.fill(captured, null);
  }

  public int status() {
    return status;
  }

  /** Value of the i-th captured header of the current response, or null if absent. */
  public String header(int i) {
    return captured[i];
  }

  public long bodyBytes() {
    return bodyBytes;
  }

  /** True when the server will keep the connection open after this response. */
  public boolean keepAlive() {
    return !connectionClose && !http10;
  }

  /** True between the first byte of a response and its completion. */
  public boolean inProgress() {
    return state != State.STATUS_LINE || lineLen > 0;
  }

  public boolean complete() {
    return state == State.DONE;
  }

  /** The first bytes of a non-2xx response body, for error reports. */
  public String errorBody() {
    return new String(errorBody, 0, errorBodyLen, StandardCharsets.UTF_8);
  }

  /**
   * Consumes {@code len} bytes. Bytes after a complete response are parsed as the next response only
   * if the listener called {@link #reset()} in {@link Listener#onComplete}; otherwise they are an error
   * (this client never pipelines).
   */
  public void feed(byte[] buf, int off, int len, Listener listener) throws HttpParseException {
    int p = off;
    int end = off + len;
    while (p < end) {
      switch (state) {
        case STATUS_LINE, HEADERS, CHUNK_SIZE, CHUNK_DATA_END, TRAILERS -> {
          int lf = indexOfLf(buf, p, end);
          if (lf < 0) {
            appendLine(buf, p, end - p);
            p = end;
          } else {
            appendLine(buf, p, lf - p);
            p = lf + 1;
            int n = lineLen;
            if (n > 0 && line[n - 1] == '\r') n--;
            lineLen = 0;
            onLine(n, listener);
          }
        }
        case BODY_FIXED, CHUNK_DATA -> {
          int take = (int) Math.min(remaining, end - p);
          body(buf, p, take, listener);
          p += take;
          remaining -= take;
          if (remaining == 0) {
            if (state == State.BODY_FIXED) {
              finish(listener);
            } else {
              state = State.CHUNK_DATA_END;
            }
          }
        }
        case BODY_UNTIL_CLOSE -> {
          body(buf, p, end - p, listener);
          p = end;
        }
        case DONE -> throw new HttpParseException("unexpected " + (end - p) + " bytes after a complete response");
      }
    }
  }

  /** The peer closed the connection: completes a close-delimited body, else fails a partial response. */
  public void onEof(Listener listener) throws HttpParseException {
    if (state == State.BODY_UNTIL_CLOSE) {
      finish(listener);
    } else if (inProgress() && state != State.DONE) {
      throw new HttpParseException("connection closed in the middle of a response (" + state + ")");
    }
  }

  private void onLine(int n, Listener listener) throws HttpParseException {
    switch (state) {
      case STATUS_LINE -> {
        if (n == 0) return; // tolerate a stray CRLF between responses
        // HTTP/1.1 204 No Content
        if (n < 12 || line[0] != 'H' || line[4] != '/' || line[8] != ' ') {
          throw new HttpParseException("bad status line: " + new String(line, 0, n, StandardCharsets.ISO_8859_1));
        }
        http10 = line[5] == '1' && line[7] == '0';
        int s = 0;
        for (int i = 9; i < 12; i++) {
          int d = line[i] - '0';
          if (d < 0 || d > 9) throw new HttpParseException("bad status code in: " + new String(line, 0, n, StandardCharsets.ISO_8859_1));
          s = s * 10 + d;
        }
        status = s;
        state = State.HEADERS;
      }
      case HEADERS -> {
        if (n == 0) {
          headersDone(listener);
        } else {
          parseHeader(n);
        }
      }
      case CHUNK_SIZE -> {
        long size = 0;
        int digits = 0;
        for (int i = 0; i < n; i++) {
          int c = line[i];
          int d = Character.digit(c, 16);
          if (d < 0) {
            if (c == ';' || c == ' ' || c == '\t') break;
            throw new HttpParseException("bad chunk size line: " + new String(line, 0, n, StandardCharsets.ISO_8859_1));
          }
          if (++digits > 15) throw new HttpParseException("chunk size too large");
          size = size * 16 + d;
        }
        if (digits == 0) throw new HttpParseException("empty chunk size line");
        if (size == 0) {
          state = State.TRAILERS;
        } else {
          remaining = size;
          state = State.CHUNK_DATA;
        }
      }
      case CHUNK_DATA_END -> {
        if (n != 0) throw new HttpParseException("missing CRLF after chunk data");
        state = State.CHUNK_SIZE;
      }
      case TRAILERS -> {
        if (n == 0) finish(listener);
      }
      default -> throw new IllegalStateException(state.name());
    }
  }

  private void headersDone(Listener listener) {
    if (status >= 100 && status < 200) { // interim response: the real one follows
      reset();
      return;
    }
    listener.onHeaders(this);
    if (status == 204 || status == 304) {
      finish(listener);
    } else if (chunked) {
      state = State.CHUNK_SIZE;
    } else if (contentLength >= 0) {
      if (contentLength == 0) {
        finish(listener);
      } else {
        remaining = contentLength;
        state = State.BODY_FIXED;
      }
    } else {
      connectionClose = true; // the body ends when the server closes the connection
      state = State.BODY_UNTIL_CLOSE;
    }
  }

  private void parseHeader(int n) throws HttpParseException {
    int colon = -1;
    for (int i = 0; i < n; i++) {
      if (line[i] == ':') {
        colon = i;
        break;
      }
    }
    if (colon <= 0) throw new HttpParseException("bad header line: " + new String(line, 0, n, StandardCharsets.ISO_8859_1));
    int vs = colon + 1;
    while (vs < n && (line[vs] == ' ' || line[vs] == '\t')) vs++;
    int ve = n;
    while (ve > vs && (line[ve - 1] == ' ' || line[ve - 1] == '\t')) ve--;
    if (nameIs(colon, "content-length")) {
      long v = 0;
      if (ve == vs) throw new HttpParseException("empty Content-Length");
      for (int i = vs; i < ve; i++) {
        int d = line[i] - '0';
        if (d < 0 || d > 9) throw new HttpParseException("bad Content-Length");
        v = v * 10 + d;
      }
      contentLength = v;
    } else if (nameIs(colon, "transfer-encoding")) {
      chunked = containsIgnoreCase(vs, ve, "chunked");
    } else if (nameIs(colon, "connection")) {
      connectionClose = containsIgnoreCase(vs, ve, "close");
    }
    for (int c = 0; c < captureNames.length; c++) {
      if (nameIs(colon, captureNames[c])) {
        captured[c] = new String(line, vs, ve - vs, StandardCharsets.ISO_8859_1);
      }
    }
  }

  private boolean nameIs(int len, String lower) {
    if (len != lower.length()) return false;
    for (int i = 0; i < len; i++) {
      if (lowerAscii(line[i]) != lower.charAt(i)) return false;
    }
    return true;
  }

  private boolean nameIs(int len, byte[] lower) {
    if (len != lower.length) return false;
    for (int i = 0; i < len; i++) {
      if (lowerAscii(line[i]) != lower[i]) return false;
    }
    return true;
  }

  private boolean containsIgnoreCase(int from, int to, String lower) {
    outer:
    for (int i = from; i + lower.length() <= to; i++) {
      for (int j = 0; j < lower.length(); j++) {
        if (lowerAscii(line[i + j]) != lower.charAt(j)) continue outer;
      }
      return true;
    }
    return false;
  }

  private static int lowerAscii(byte b) {
    return b >= 'A' && b <= 'Z' ? b + 32 : b;
  }

  private void body(byte[] buf, int off, int len, Listener listener) {
    if (len == 0) return;
    bodyBytes += len;
    if ((status < 200 || status >= 300) && errorBodyLen < ERROR_BODY_LIMIT) {
      int k = Math.min(len, ERROR_BODY_LIMIT - errorBodyLen);
      System.arraycopy(buf, off, errorBody, errorBodyLen, k);
      errorBodyLen += k;
    }
    listener.onBody(buf, off, len);
  }

  private void finish(Listener listener) {
    state = State.DONE;
    listener.onComplete(this);
  }

  private void appendLine(byte[] buf, int off, int len) throws HttpParseException {
    if (lineLen + len > MAX_LINE) throw new HttpParseException("header line longer than " + MAX_LINE + " bytes");
    if (lineLen + len > line.length) line = Arrays.copyOf(line, Math.max(line.length * 2, lineLen + len));
    System.arraycopy(buf, off, line, lineLen, len);
    lineLen += len;
  }

  private static int indexOfLf(byte[] buf, int from, int to) {
    for (int i = from; i < to; i++) {
      if (buf[i] == '\n') return i;
    }
    return -1;
  }
}
