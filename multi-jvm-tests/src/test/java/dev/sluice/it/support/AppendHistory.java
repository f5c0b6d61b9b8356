package dev.sluice.it.support;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Every append attempt a test's clients made against a cluster, with its outcome, and the checker
 * that judges the streams read back at the end against it. Thread-safe: clients {@link #record}
 * from any thread; {@link #check} runs once the clients stopped.
 *
 * <p><b>Self-describing appends.</b> Each append carries a unique 16-character token:
 * {@code [<token>.<padding>]}, padding {@code a-z}, at least {@value #MIN_LENGTH} bytes, the whole
 * body a function of token and length ({@link #body}). A stream's bytes therefore split into the
 * appends they consist of without any help from the server. An idempotent producer's retry (after
 * an unknown outcome) resends the same token, so one token may have several attempts.
 *
 * <p><b>Outcomes.</b> {@code ACKED}: a 2xx that appended (plain 204, producer 200), with the byte
 * position its {@code Stream-Next-Offset} names. {@code DUPLICATE}: a producer's 204 (already
 * stored). {@code REJECTED}: a status that says nothing was stored (4xx, 507). {@code NOT_SENT}:
 * the connection could not be opened, so no byte of the request left the client. {@code UNKNOWN}:
 * anything else (503, a timeout, a reset): the append may or may not be stored.
 *
 * <p><b>What {@link #check} asserts</b>, for each stream read through each node:
 *
 * <ol>
 *   <li>the bytes are whole appends that were attempted on that stream (nothing foreign, nothing
 *       torn), each at most once;
 *   <li>every acknowledged append is present at exactly the bytes its acknowledgement implied,
 *       {@code [next - length, next)}; every duplicate-acknowledged one is present, ending at or
 *       before the offset its 204 carried;
 *   <li>appends whose every attempt was refused or never sent are absent; unknown ones may be
 *       present or absent (at most once, by 1);
 *   <li>real-time order: an append acknowledged before another was first attempted ends at or
 *       before the later one's start, for acknowledged appends ({@code Stream-Next-Offset} never goes
 *       backwards across successive acknowledgements) and for every append present;
 *   <li>an idempotent producer's appends are in the order of their sequence numbers;
 *   <li>every node returns the same bytes;
 *   <li>no response status other than 2xx and 503 (anything else during a fault is a bug).
 * </ol>
 */
public final class AppendHistory {
  public static final int TOKEN_LENGTH = 16;
  /** {@code [} + token + {@code .} + at least one padding byte + {@code ]}. */
  public static final int MIN_LENGTH = TOKEN_LENGTH + 4;

  public enum Outcome { ACKED, DUPLICATE, REJECTED, NOT_SENT, UNKNOWN }

  /**
   * One request. {@code nextPos} is the byte position of {@code Stream-Next-Offset} (ACKED,
   * DUPLICATE), else -1; {@code producerId} is null for plain appends; {@code status} is the HTTP
   * status or 0 if none was received.
   */
  public record Attempt(String stream, String token, int length, int node, String producerId, long producerSeq,
                        long startNanos, long endNanos, Outcome outcome, int status, long nextPos, String detail) {
    public long millis() {
      return (endNanos - startNanos) / 1_000_000;
    }

    @Override
    public String toString() {
      return token + " on " + stream + " via node " + node + (producerId == null ? "" : " (" + producerId + " seq " + producerSeq + ")")
          + ": " + outcome + (status > 0 ? " " + status : "") + (nextPos >= 0 ? " next=" + nextPos : "")
          + (detail == null ? "" : " (" + detail + ")") + " in " + millis() + " ms";
    }
  }

  /** What {@link #check} found, for the test's output and the docs' figures. */
  public record Report(int streams, long bytes, int appendsPresent, int acked, int duplicateAcks, int unknownPresent,
                       int unknownAbsent, int refused, int attempts, Map<Integer, Integer> statuses) {
    @Override
    public String toString() {
      return String.format("%d attempts on %d streams; %d appends present (%d bytes): %d acknowledged (+%d producer"
              + " duplicate acks), %d of unknown outcome present, %d unknown absent, %d refused/not sent absent;"
              + " statuses %s", attempts, streams, appendsPresent, bytes, acked, duplicateAcks, unknownPresent,
          unknownAbsent, refused, statuses);
    }
  }

  private final String tag;
  private final AtomicLong counter = new AtomicLong();
  private final ConcurrentLinkedQueue<Attempt> attempts = new ConcurrentLinkedQueue<>();

  public AppendHistory() {
    Random r = new Random();
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 4; i++) sb.append((char) ('a' + r.nextInt(26)));
    this.tag = sb.toString();
  }

  /** A new token, unique within this history: 4 letters of this run, then a 12-digit counter. */
  public String newToken() {
    return tag + String.format("%012d", counter.incrementAndGet());
  }

  /** The body of the append {@code token} with {@code length} bytes. */
  public static byte[] body(String token, int length) {
    if (token.length() != TOKEN_LENGTH || length < MIN_LENGTH) throw new IllegalArgumentException(token + "/" + length);
    byte[] b = new byte[length];
    b[0] = '[';
    System.arraycopy(token.getBytes(StandardCharsets.US_ASCII), 0, b, 1, TOKEN_LENGTH);
    b[TOKEN_LENGTH + 1] = '.';
    for (int i = TOKEN_LENGTH + 2; i < length - 1; i++) b[i] = (byte) ('a' + i % 26);
    b[length - 1] = ']';
    return b;
  }

  public void record(Attempt a) {
    attempts.add(a);
  }

  public List<Attempt> attempts() {
    return new ArrayList<>(attempts);
  }

  public List<Attempt> attempts(String stream) {
    return attempts.stream().filter(a -> a.stream.equals(stream)).toList();
  }

  /** Byte position of an offset {@code RRRRRRRRRRRRRRRR_PPPPPPPPPPPPPPPP}, or -1. */
  public static long position(String offset) {
    if (offset == null) return -1;
    int u = offset.indexOf('_');
    try {
      return Long.parseLong(offset.substring(u + 1));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /**
   * The first acknowledgement of an append to {@code stream} that was sent at or after
   * {@code sinceNanos}: milliseconds from {@code sinceNanos} to its answer, or -1 if none.
   */
  public long firstAckMillisAfter(String stream, long sinceNanos) {
    return attempts.stream().filter(a -> a.stream.equals(stream) && a.outcome == Outcome.ACKED && a.startNanos >= sinceNanos)
        .mapToLong(a -> (a.endNanos - sinceNanos) / 1_000_000).min().orElse(-1);
  }

  /** Attempts of {@code stream}'s appends answered ACKED. */
  public long ackCount(String stream) {
    return attempts.stream().filter(a -> a.stream.equals(stream) && a.outcome == Outcome.ACKED).count();
  }

  /** One logical append: all attempts with one token. */
  private static final class Append {
    final String token;
    final String stream;
    final int length;
    final String producerId;
    final long producerSeq;
    final List<Attempt> tries = new ArrayList<>();
    long firstStart = Long.MAX_VALUE;

    Append(Attempt a) {
      token = a.token;
      stream = a.stream;
      length = a.length;
      producerId = a.producerId;
      producerSeq = a.producerSeq;
    }

    boolean any(Outcome o) {
      return tries.stream().anyMatch(t -> t.outcome == o);
    }

    boolean definitelyAbsent() {
      return tries.stream().allMatch(t -> t.outcome == Outcome.REJECTED || t.outcome == Outcome.NOT_SENT);
    }
  }

  /**
   * Checks every stream's final contents as read through each node ({@code reads}: stream ->
   * node -> bytes) against the history. Every stream that has attempts must be in {@code reads}.
   *
   * @throws AssertionError listing (up to 30 of) the violations
   */
  public Report check(Map<String, Map<Integer, byte[]>> reads) {
    List<String> violations = new ArrayList<>();
    Map<String, Append> byToken = new HashMap<>();
    Map<Integer, Integer> statuses = new java.util.TreeMap<>();
    int attemptCount = 0;
    for (Attempt a : attempts) {
      attemptCount++;
      if (a.status > 0) statuses.merge(a.status, 1, Integer::sum);
      Append ap = byToken.computeIfAbsent(a.token, t -> new Append(a));
      if (!ap.stream.equals(a.stream) || ap.length != a.length) {
        violations.add("token " + a.token + " used for two different appends: " + a + " / " + ap.tries);
      }
      ap.tries.add(a);
      ap.firstStart = Math.min(ap.firstStart, a.startNanos);
      if (a.status > 0 && !(a.status >= 200 && a.status < 300) && a.status != 503) {
        violations.add("unexpected status (only 2xx and 503 are expected): " + a);
      }
    }
    Map<String, List<Append>> byStream = new LinkedHashMap<>();
    for (Append ap : byToken.values()) byStream.computeIfAbsent(ap.stream, s -> new ArrayList<>()).add(ap);

    int present = 0;
    int acked = 0;
    int dups = 0;
    int unknownPresent = 0;
    int unknownAbsent = 0;
    int refused = 0;
    long bytes = 0;
    for (var e : byStream.entrySet()) {
      String stream = e.getKey();
      Map<Integer, byte[]> perNode = reads.get(stream);
      if (perNode == null || perNode.isEmpty()) {
        violations.add(stream + ": not read back");
        continue;
      }
      checkAckOrder(stream, e.getValue(), violations);
      // Every node must return the same bytes.
      Map.Entry<Integer, byte[]> first = perNode.entrySet().iterator().next();
      for (var n : perNode.entrySet()) {
        if (!Arrays.equals(first.getValue(), n.getValue())) {
          violations.add(stream + ": node " + n.getKey() + " returned " + n.getValue().length + " bytes, node " + first.getKey()
              + " " + first.getValue().length + " bytes; first difference at byte "
              + Arrays.mismatch(first.getValue(), n.getValue()));
        }
      }
      for (var n : perNode.entrySet()) {
        Map<String, long[]> spans = spans(stream, n.getKey(), n.getValue(), byToken, violations);
        checkContents(stream, n.getKey(), spans, e.getValue(), violations);
      }
      // Counts from the first node's copy (all equal, or a violation was reported).
      Map<String, long[]> spans = spans(stream, first.getKey(), first.getValue(), byToken, new ArrayList<>());
      bytes += first.getValue().length;
      present += spans.size();
      for (Append ap : e.getValue()) {
        boolean isAcked = ap.any(Outcome.ACKED);
        if (isAcked) acked++;
        if (ap.any(Outcome.DUPLICATE)) dups++;
        if (!isAcked && !ap.any(Outcome.DUPLICATE) && !ap.definitelyAbsent()) {
          if (spans.containsKey(ap.token)) unknownPresent++;
          else unknownAbsent++;
        }
        if (ap.definitelyAbsent()) refused++;
      }
    }
    for (String stream : reads.keySet()) {
      if (!byStream.containsKey(stream)) {
        for (var n : reads.get(stream).entrySet()) {
          if (n.getValue().length > 0) violations.add(stream + ": " + n.getValue().length + " bytes through node " + n.getKey() + " but no append was attempted");
        }
      }
    }
    if (!violations.isEmpty()) {
      List<String> shown = violations.subList(0, Math.min(30, violations.size()));
      throw new AssertionError(violations.size() + " history violation(s):\n  " + String.join("\n  ", shown));
    }
    return new Report(byStream.size(), bytes, present, acked, dups, unknownPresent, unknownAbsent, refused, attemptCount, statuses);
  }

  /** Splits {@code data} into appends; records foreign bytes, unknown tokens and duplicates. */
  private static Map<String, long[]> spans(String stream, int node, byte[] data, Map<String, Append> byToken, List<String> violations) {
    Map<String, long[]> spans = new LinkedHashMap<>();
    int pos = 0;
    while (pos < data.length) {
      int end = -1;
      if (data[pos] == '[' && pos + TOKEN_LENGTH + 3 <= data.length && data[pos + TOKEN_LENGTH + 1] == '.') {
        for (int i = pos + TOKEN_LENGTH + 2; i < data.length; i++) {
          if (data[i] == ']') {
            end = i + 1;
            break;
          }
          if (data[i] < 'a' || data[i] > 'z') break;
        }
      }
      if (end < 0) {
        violations.add(stream + " via node " + node + ": bytes at " + pos + " are not a whole append: " + snippet(data, pos));
        return spans;
      }
      String token = new String(data, pos + 1, TOKEN_LENGTH, StandardCharsets.US_ASCII);
      Append ap = byToken.get(token);
      if (ap == null || !ap.stream.equals(stream)) {
        violations.add(stream + " via node " + node + ": append " + token + " at [" + pos + ", " + end + ") was never attempted"
            + (ap == null ? "" : " on this stream (it was sent to " + ap.stream + ")"));
      } else if (ap.length != end - pos || !Arrays.equals(body(token, ap.length), Arrays.copyOfRange(data, pos, end))) {
        violations.add(stream + " via node " + node + ": append " + token + " at [" + pos + ", " + end + ") differs from what was sent ("
            + ap.length + " bytes)");
      }
      long[] prev = spans.put(token, new long[] {pos, end});
      if (prev != null) {
        violations.add(stream + " via node " + node + ": append " + token + " is stored twice, at " + prev[0] + " and " + pos
            + (ap == null ? "" : "; attempts: " + ap.tries));
      }
      pos = end;
    }
    return spans;
  }

  private static void checkContents(String stream, int node, Map<String, long[]> spans, List<Append> appends, List<String> violations) {
    // Acknowledged appends ordered by when their acknowledgement arrived, with the running maximum
    // of where they end: an append first attempted after time t must start at or after every
    // acknowledged append that ended before t.
    List<long[]> ackEnds = new ArrayList<>(); // {endNanos, nextPos}
    for (Append ap : appends) {
      for (Attempt t : ap.tries) {
        if (t.outcome == Outcome.ACKED) ackEnds.add(new long[] {t.endNanos, t.nextPos});
      }
    }
    ackEnds.sort(Comparator.comparingLong(x -> x[0]));
    long[] times = new long[ackEnds.size()];
    long[] maxEnd = new long[ackEnds.size()];
    long running = -1;
    for (int i = 0; i < ackEnds.size(); i++) {
      times[i] = ackEnds.get(i)[0];
      running = Math.max(running, ackEnds.get(i)[1]);
      maxEnd[i] = running;
    }
    Map<String, List<long[]>> producerOrder = new HashMap<>(); // producer -> {start, seq}
    for (Append ap : appends) {
      long[] span = spans.get(ap.token);
      for (Attempt t : ap.tries) {
        if (t.outcome == Outcome.ACKED) {
          if (span == null) {
            violations.add(stream + " via node " + node + ": acknowledged append is lost: " + t);
          } else if (span[1] != t.nextPos || span[0] != t.nextPos - ap.length) {
            violations.add(stream + " via node " + node + ": acknowledged append is at [" + span[0] + ", " + span[1]
                + "), not where its acknowledgement put it: " + t);
          }
        } else if (t.outcome == Outcome.DUPLICATE) {
          if (span == null) {
            violations.add(stream + " via node " + node + ": producer duplicate acknowledged, but the original is missing: " + t);
          } else if (span[1] > t.nextPos) {
            violations.add(stream + " via node " + node + ": producer duplicate answered with an offset before the original's end "
                + span[1] + ": " + t);
          }
        }
      }
      if (span != null && ap.definitelyAbsent()) {
        violations.add(stream + " via node " + node + ": append is present though every attempt was refused or never sent: "
            + ap.tries);
      }
      if (span != null) {
        int i = upperBound(times, ap.firstStart - 1); // acks that ended strictly before the first attempt
        if (i > 0 && span[0] < maxEnd[i - 1]) {
          violations.add(stream + " via node " + node + ": append " + ap.token + " at [" + span[0] + ", " + span[1]
              + ") lies before an append acknowledged (up to " + maxEnd[i - 1] + ") before it was first sent; attempts: " + ap.tries);
        }
        if (ap.producerId != null) producerOrder.computeIfAbsent(ap.producerId, p -> new ArrayList<>()).add(new long[] {span[0], ap.producerSeq});
      }
    }
    for (var e : producerOrder.entrySet()) {
      List<long[]> order = e.getValue();
      order.sort(Comparator.comparingLong(x -> x[0]));
      for (int i = 1; i < order.size(); i++) {
        if (order.get(i)[1] <= order.get(i - 1)[1]) {
          violations.add(stream + " via node " + node + ": producer " + e.getKey() + " seq " + order.get(i)[1] + " is stored after seq "
              + order.get(i - 1)[1]);
        }
      }
    }
  }

  /** Successive acknowledgements never go backwards: A answered before B was sent => A ends where B starts or before. */
  private static void checkAckOrder(String stream, List<Append> appends, List<String> violations) {
    List<Attempt> acks = new ArrayList<>();
    for (Append ap : appends) {
      for (Attempt t : ap.tries) if (t.outcome == Outcome.ACKED) acks.add(t);
    }
    acks.sort(Comparator.comparingLong(Attempt::endNanos));
    long[] times = new long[acks.size()];
    Attempt[] maxOf = new Attempt[acks.size()];
    Attempt best = null;
    for (int i = 0; i < acks.size(); i++) {
      times[i] = acks.get(i).endNanos;
      if (best == null || acks.get(i).nextPos > best.nextPos) best = acks.get(i);
      maxOf[i] = best;
    }
    for (Attempt b : acks) {
      int i = upperBound(times, b.startNanos - 1);
      if (i > 0 && b.nextPos - b.length < maxOf[i - 1].nextPos) {
        violations.add(stream + ": Stream-Next-Offset went backwards: " + maxOf[i - 1] + " was acknowledged before " + b
            + " was sent, but ends after its start");
      }
    }
  }

  /** Number of entries in sorted {@code a} that are <= {@code key}. */
  private static int upperBound(long[] a, long key) {
    int lo = 0;
    int hi = a.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (a[mid] <= key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * A live reader's bytes must be a prefix of the stream's final contents: no gap, nothing that is
   * not in the final read.
   */
  public static void checkPrefix(String what, byte[] received, byte[] finalBytes) {
    if (received.length > finalBytes.length) {
      throw new AssertionError(what + " received " + received.length + " bytes, more than the final " + finalBytes.length
          + "; first difference at " + Arrays.mismatch(received, finalBytes));
    }
    int mismatch = Arrays.mismatch(received, Arrays.copyOf(finalBytes, received.length));
    if (mismatch >= 0) {
      throw new AssertionError(what + " received bytes that differ from the final stream at byte " + mismatch + ": "
          + snippet(received, mismatch) + " vs " + snippet(finalBytes, mismatch));
    }
  }

  private static String snippet(byte[] d, int pos) {
    int from = Math.max(0, pos - 8);
    return "'" + new String(d, from, Math.min(d.length, pos + 40) - from, StandardCharsets.ISO_8859_1) + "'";
  }
}
