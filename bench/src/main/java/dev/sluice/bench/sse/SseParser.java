package dev.sluice.bench.sse;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Incremental parser of a {@code text/event-stream} body (the WHATWG event-stream format, as
 * docs/protocol-checklist.md §11 uses it): feed it body bytes in any split, it reports each event.
 *
 * <p>Lines end in CRLF, LF or CR (a CR at the end of one feed followed by LF at the start of the next
 * is one line end). {@code event:} sets the type, each {@code data:} line appends to the data
 * (joined with {@code \n}), one space after the colon is dropped, {@code :comments} and other fields
 * are ignored, and a blank line dispatches the event if it had at least one {@code data:} line. The
 * type defaults to {@code message}.
 *
 * <p>Works on bytes and reuses its buffers: a fanout run parses tens of thousands of events a second
 * on the load generator's single thread. The types {@code data} and {@code control} are returned as
 * shared constants.
 *
 * <p>Not thread-safe; one instance per connection, confined to the event loop.
 */
public final class SseParser {

  /** Receives each complete event; {@code data} is only valid during the call. */
  public interface Listener {
    void onEvent(String type, byte[] data, int length);
  }

  public static final String DATA = "data";
  public static final String CONTROL = "control";

  private byte[] line = new byte[256];
  private int lineLen;
  private byte[] data = new byte[256];
  private int dataLen;
  private String type;
  private boolean hasData;
  private boolean lastWasCr;

  /** Forgets any partial event, e.g. after a reconnect. */
  public void reset() {
    lineLen = 0;
    dataLen = 0;
    type = null;
    hasData = false;
    lastWasCr = false;
  }

  /** Decodes event data as UTF-8 (for tests and error messages). */
  public static String text(byte[] data, int length) {
    return new String(data, 0, length, StandardCharsets.UTF_8);
  }

  public void feed(byte[] buf, int off, int len, Listener listener) {
    int start = off;
    int end = off + len;
    for (int i = off; i < end; i++) {
      byte b = buf[i];
      if (b != '\n' && b != '\r') continue;
      if (b == '\n' && lastWasCr && i == start && lineLen == 0) {
        // the LF of a CRLF whose CR ended the previous feed
        lastWasCr = false;
        start = i + 1;
        continue;
      }
      append(buf, start, i - start);
      line(listener);
      lastWasCr = b == '\r';
      start = i + 1;
      if (lastWasCr && i + 1 < end && buf[i + 1] == '\n') {
        i++;
        start = i + 1;
        lastWasCr = false;
      }
    }
    if (start < end) {
      append(buf, start, end - start);
      lastWasCr = false;
    }
  }

  private void append(byte[] buf, int off, int len) {
    if (len == 0) return;
    if (lineLen + len > line.length) line = Arrays.copyOf(line, Math.max(line.length * 2, lineLen + len));
    System.arraycopy(buf, off, line, lineLen, len);
    lineLen += len;
  }

  private void line(Listener listener) {
    int n = lineLen;
    lineLen = 0;
    if (n == 0) {
      if (hasData) listener.onEvent(type == null ? "message" : type, data, dataLen);
      dataLen = 0;
      type = null;
      hasData = false;
      return;
    }
    if (line[0] == ':') return; // comment
    int colon = 0;
    while (colon < n && line[colon] != ':') colon++;
    int vs = colon < n ? colon + 1 : n;
    if (vs < n && line[vs] == ' ') vs++;
    if (fieldIs(colon, "data")) {
      int add = n - vs + (hasData ? 1 : 0);
      if (dataLen + add > data.length) data = Arrays.copyOf(data, Math.max(data.length * 2, dataLen + add));
      if (hasData) data[dataLen++] = '\n';
      System.arraycopy(line, vs, data, dataLen, n - vs);
      dataLen += n - vs;
      hasData = true;
    } else if (fieldIs(colon, "event")) {
      type = valueIs(vs, n, DATA) ? DATA : valueIs(vs, n, CONTROL) ? CONTROL : new String(line, vs, n - vs, StandardCharsets.UTF_8);
    }
    // id, retry and unknown fields do not matter here
  }

  private boolean fieldIs(int len, String name) {
    return valueIs(0, len, name);
  }

  private boolean valueIs(int from, int to, String s) {
    if (to - from != s.length()) return false;
    for (int i = 0; i < s.length(); i++) {
      if (line[from + i] != s.charAt(i)) return false;
    }
    return true;
  }
}
