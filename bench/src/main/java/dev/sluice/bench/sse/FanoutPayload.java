package dev.sluice.bench.sse;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The text records the fanout scenario appends: {@code <seq>,<sendNanos>,<padding>;}. Each record is
 * self-delimiting because a server may deliver several appends in one SSE data event (Caddy batches
 * them), so a data event is parsed as any number of records. No newline is used: the server splits
 * data lines on line breaks (docs/protocol-checklist.md §11).
 */
public final class FanoutPayload {

  /** Receives each record found in a data event. */
  public interface RecordListener {
    void onRecord(long seq, long sendNanos);
  }

  private FanoutPayload() {}

  /** A record of exactly {@code size} bytes when the fields fit, else just the fields. */
  public static byte[] encode(long seq, long sendNanos, int size) {
    String fields = seq + "," + sendNanos + ",";
    int pad = Math.max(0, size - fields.length() - 1);
    byte[] out = new byte[fields.length() + pad + 1];
    byte[] f = fields.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(f, 0, out, 0, f.length);
    Arrays.fill(out, f.length, f.length + pad, (byte) 'x');
    out[out.length - 1] = ';';
    return out;
  }

  /** Calls {@code listener} for each record in {@code data}; returns the number of malformed pieces. */
  public static int decode(String data, RecordListener listener) {
    byte[] b = data.getBytes(StandardCharsets.UTF_8);
    return decode(b, b.length, listener);
  }

  /** Like {@link #decode(String, RecordListener)} on the first {@code length} bytes, without allocating. */
  public static int decode(byte[] data, int length, RecordListener listener) {
    int bad = 0;
    int i = 0;
    while (i < length) {
      // one record: digits ',' digits ',' padding ';'
      long seq = 0;
      long nanos = 0;
      int start = i;
      int d1 = 0;
      while (i < length && data[i] >= '0' && data[i] <= '9' && d1 < 18) {
        seq = seq * 10 + (data[i++] - '0');
        d1++;
      }
      boolean ok = d1 > 0 && i < length && data[i] == ',';
      int d2 = 0;
      if (ok) {
        i++;
        boolean neg = i < length && data[i] == '-';
        if (neg) i++;
        while (i < length && data[i] >= '0' && data[i] <= '9' && d2 < 19) {
          nanos = nanos * 10 + (data[i++] - '0');
          d2++;
        }
        if (neg) nanos = -nanos;
        ok = d2 > 0 && i < length && data[i] == ',';
      }
      while (i < length && data[i] != ';') i++;
      boolean terminated = i < length;
      i++; // past ';'
      if (ok && terminated) {
        listener.onRecord(seq, nanos);
      } else if (i - 1 > start || !terminated) {
        bad++;
      }
    }
    return bad;
  }
}
