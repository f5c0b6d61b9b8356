package dev.sluice.bench.failover;

import java.nio.charset.StandardCharsets;
import java.util.BitSet;

/**
 * The appends of the failover run and their check: append {@code seq} of stream {@code s} is the
 * 14-byte record {@code "sss:nnnnnnnnn\n"}. A stream's appender sends seq n+1 only after n was
 * acknowledged, and re-sends n after a failed attempt. So in a stream's content:
 *
 * <ul>
 *   <li>every acknowledged seq is present (else "missing");
 *   <li>the <em>first</em> occurrences of the seqs are increasing: n+1 was sent after n was
 *       acknowledged, so n must come before it (else "out of order");
 *   <li>a seq may appear again later: an attempt that timed out at the client was still in flight
 *       and got stored after its retry, possibly after later seqs (a "duplicate", allowed for plain
 *       appends under retries);
 *   <li>the seq after the last acknowledged one may be present (its answer was lost or not waited for).
 * </ul>
 *
 * Pure; thread-safe.
 */
final class Records {

  static final int LENGTH = 14;

  private Records() {}

  static byte[] record(int stream, long seq) {
    return String.format("%03d:%09d\n", stream, seq).getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * What one read of a stream holds compared with what was acknowledged.
   *
   * @param present    acknowledged seqs found
   * @param missing    acknowledged seqs not found (must be 0)
   * @param duplicates records beyond the first of the same seq
   * @param unacked    distinct seqs found that were never acknowledged
   * @param outOfOrder first occurrences of a seq after a larger seq (must be 0)
   * @param malformed  bytes that are not records of this stream (must be 0)
   */
  record Check(long present, long missing, long duplicates, long unacked, long outOfOrder, long malformed) {
    boolean ok() {
      return missing == 0 && outOfOrder == 0 && malformed == 0;
    }

    Check plus(Check o) {
      return new Check(present + o.present, missing + o.missing, duplicates + o.duplicates, unacked + o.unacked,
          outOfOrder + o.outOfOrder, malformed + o.malformed);
    }

    static final Check ZERO = new Check(0, 0, 0, 0, 0, 0);
  }

  /** Checks the content of stream {@code stream} against {@code acked} (seqs 0..acked-1 were acknowledged). */
  static Check check(int stream, long acked, byte[] content) {
    int whole = content.length / LENGTH;
    long malformed = content.length % LENGTH;
    BitSet seen = new BitSet();
    long duplicates = 0;
    long outOfOrder = 0;
    long prev = -1;
    String prefix = String.format("%03d:", stream);
    for (int i = 0; i < whole; i++) {
      String r = new String(content, i * LENGTH, LENGTH, StandardCharsets.US_ASCII);
      long seq;
      try {
        if (!r.startsWith(prefix) || r.charAt(LENGTH - 1) != '\n') throw new NumberFormatException();
        seq = Long.parseLong(r.substring(4, LENGTH - 1));
      } catch (NumberFormatException e) {
        malformed += LENGTH;
        continue;
      }
      if (seq > Integer.MAX_VALUE) {
        malformed += LENGTH;
        continue;
      }
      if (seen.get((int) seq)) {
        duplicates++;
        continue;
      }
      seen.set((int) seq);
      if (seq < prev) outOfOrder++;
      prev = Math.max(prev, seq);
    }
    long present = seen.get(0, (int) Math.min(acked, Integer.MAX_VALUE)).cardinality();
    long unacked = seen.cardinality() - present;
    return new Check(present, acked - present, duplicates, unacked, outOfOrder, malformed);
  }
}
