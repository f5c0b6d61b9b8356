package dev.sluice.it.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.sluice.it.support.ItEnv;
import dev.sluice.it.support.NodeProcess;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Acknowledged means durable: SIGKILL a node in the middle of concurrent appends, restart it on the
 * same data directory, and check that nothing it acknowledged is lost, duplicated or moved.
 *
 * <p>Load: {@value #PLAIN_WRITERS} threads doing plain appends round-robin over {@value #STREAMS}
 * streams (so several writers race on each stream) and {@value #PRODUCERS} idempotent producers
 * ({@code Producer-Id}, {@code Producer-Epoch: 0}, {@code Producer-Seq: 0,1,2,...}), each on its own
 * stream. Every body is unique and self-delimiting: {@code <token|stream|padding>}. The node is
 * killed once {@value #KILL_AFTER_ACKS} appends were acknowledged or {@link #MAX_LOAD} passed,
 * whichever comes first; the writers are still running at that moment.
 *
 * <p>After the restart, for every stream (read from {@code offset=-1}, following
 * {@code Stream-Next-Offset} until {@code Stream-Up-To-Date: true}):
 *
 * <ul>
 *   <li>the bytes are a concatenation of whole bodies that were sent (no torn or foreign bytes), and
 *       no body appears twice;
 *   <li>each acknowledged append of n bytes with next offset {@code ..._P} occupies bytes [P-n, P);
 *   <li>retrying each producer's last acknowledged seq is answered 204 and adds nothing; its
 *       in-flight seq (if any) is 204 if it had been persisted, else 200; the next seq is 200;
 *   <li>a plain append after the restart continues at the recovered tail.
 * </ul>
 */
class CrashRecoveryIT {

  static final int STREAMS = 4;
  static final int PLAIN_WRITERS = 4;
  static final int PRODUCERS = 2;
  static final int KILL_AFTER_ACKS = 2000;
  static final Duration MAX_LOAD = Duration.ofSeconds(4);
  static final int MIN_ACKS = 50;
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

  private static final String OCTETS = "application/octet-stream";
  private static final Pattern OFFSET = Pattern.compile("^(\\d{16})_(\\d{16})$");

  /** One append the server acknowledged: its body ends at byte {@code nextPos} of {@code stream}. */
  record Ack(String stream, String token, byte[] body, String nextOffset, long nextPos) {}

  /** Progress of one idempotent producer; written by its thread, read after the writers stopped. */
  static final class Producer {
    final String id;
    final String stream;
    volatile long lastAckedSeq = -1;
    volatile byte[] lastAckedBody;
    volatile long inFlightSeq = -1;
    volatile byte[] inFlightBody;

    Producer(String id, String stream) {
      this.id = id;
      this.stream = stream;
    }
  }

  private final HttpClient http = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5))
      .build();

  private final Map<String, byte[]> sent = new ConcurrentHashMap<>();
  private final Queue<Ack> acks = new ConcurrentLinkedQueue<>();
  private final Queue<String> problems = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean stop = new AtomicBoolean();
  private final AtomicBoolean killing = new AtomicBoolean();
  private final AtomicInteger plainAcks = new AtomicInteger();
  private final AtomicInteger producerAcks = new AtomicInteger();

  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void acknowledgedAppendsSurviveSigkillExactlyOnceAtTheirOffsets() throws Exception {
    Path dataDir = ItEnv.freshDataDir("CrashRecoveryIT");
    String run = Long.toString(System.currentTimeMillis(), 36);
    List<String> streams = new ArrayList<>();
    for (int i = 0; i < STREAMS; i++) {
      streams.add("crash-" + run + "-" + i);
    }
    List<Producer> producers = new ArrayList<>();
    for (int i = 0; i < PRODUCERS; i++) {
      producers.add(new Producer("producer-" + run + "-" + i, streams.get(i % STREAMS)));
    }

    long t0 = System.nanoTime();
    NodeProcess first = NodeProcess.start("CrashRecoveryIT", dataDir);
    long loadStart;
    long killedAt;
    try (first) {
      System.out.printf("crash: node 1 ready in %d ms: %s%n", ms(t0), first);
      for (String s : streams) {
        HttpResponse<byte[]> r = send(HttpRequest.newBuilder(first.streamUri(s))
            .PUT(HttpRequest.BodyPublishers.noBody()).header("Content-Type", OCTETS));
        assertEquals(201, r.statusCode(), "PUT " + s + ": " + describe(r));
      }

      CountDownLatch enough = new CountDownLatch(KILL_AFTER_ACKS);
      ExecutorService pool = Executors.newFixedThreadPool(PLAIN_WRITERS + PRODUCERS);
      loadStart = System.nanoTime();
      for (int w = 0; w < PLAIN_WRITERS; w++) {
        int writer = w;
        pool.execute(() -> plainWriter(first, streams, writer, enough));
      }
      for (Producer p : producers) {
        pool.execute(() -> producerWriter(first, p, enough));
      }

      enough.await(MAX_LOAD.toMillis(), TimeUnit.MILLISECONDS);
      killing.set(true);
      first.kill();
      killedAt = System.nanoTime();
      stop.set(true);
      pool.shutdown();
      assertTrue(pool.awaitTermination(2 * REQUEST_TIMEOUT.toSeconds() + 10, TimeUnit.SECONDS),
          "writers did not stop after the kill");
    }

    double loadSec = (killedAt - loadStart) / 1e9;
    System.out.printf("crash: SIGKILL after %.1f s of load: acknowledged plain=%d producer=%d (%.0f acks/s), sent=%d%n",
        loadSec, plainAcks.get(), producerAcks.get(), acks.size() / loadSec, sent.size());
    assertTrue(problems.isEmpty(), "unexpected responses before the kill:\n" + String.join("\n", problems));
    assertTrue(acks.size() >= MIN_ACKS, "only " + acks.size() + " appends acknowledged in " + loadSec
        + " s; node log " + first.logFile());

    long restartStart = System.nanoTime();
    try (NodeProcess second = NodeProcess.start("CrashRecoveryIT", dataDir)) {
      System.out.printf("crash: node 2 ready on the same data dir in %d ms: %s%n", ms(restartStart), second);

      long verifyStart = System.nanoTime();
      Map<String, StreamContent> contents = new HashMap<>();
      for (String s : streams) {
        contents.put(s, verifyStream(second, s));
      }
      int recoveredUnacked = contents.values().stream().mapToInt(c -> c.unacked).sum();
      long bytes = contents.values().stream().mapToLong(c -> c.data.length).sum();
      System.out.printf("crash: verified %d acknowledged appends in %d streams (%d bytes); "
              + "%d unacknowledged in-flight appends were also persisted (allowed)%n",
          acks.size(), streams.size(), bytes, recoveredUnacked);

      for (Producer p : producers) {
        verifyProducerAfterRestart(second, p, contents.get(p.stream));
      }
      for (String s : streams) {
        verifyPlainAppendContinues(second, s, contents.get(s));
      }
      System.out.printf("crash: post-restart producer dedupe and appends OK (verification %d ms)%n", ms(verifyStart));

      int exit = second.stop(Duration.ofSeconds(30));
      System.out.printf("crash: node 2 stopped by SIGTERM, exit code %d; total %d ms%n", exit, ms(t0));
    }
  }

  // ---------------------------------------------------------------- load

  private void plainWriter(NodeProcess node, List<String> streams, int writer, CountDownLatch enough) {
    Random rnd = new Random(writer);
    for (int i = 0; !stop.get(); i++) {
      String stream = streams.get((writer + i) % streams.size());
      String token = "w" + writer + "-" + i;
      byte[] body = body(token, stream, rnd);
      sent.put(token, body);
      try {
        HttpResponse<byte[]> r = send(HttpRequest.newBuilder(node.streamUri(stream))
            .POST(HttpRequest.BodyPublishers.ofByteArray(body)).header("Content-Type", OCTETS));
        if (r.statusCode() != 204) {
          problem("plain append " + token + " to " + stream + " expected 204: " + describe(r));
          return;
        }
        if (!recordAck(stream, token, body, r)) {
          return;
        }
        plainAcks.incrementAndGet();
        enough.countDown();
      } catch (IOException e) {
        onIoFailure("plain append " + token, e);
        return;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private void producerWriter(NodeProcess node, Producer p, CountDownLatch enough) {
    Random rnd = new Random(p.id.hashCode());
    for (long seq = 0; !stop.get(); seq++) {
      String token = "p" + p.id.substring(p.id.lastIndexOf('-') + 1) + "-" + seq;
      byte[] body = body(token, p.stream, rnd);
      sent.put(token, body);
      p.inFlightBody = body;
      p.inFlightSeq = seq;
      try {
        HttpResponse<byte[]> r = send(producerAppend(node, p, seq, body));
        if (r.statusCode() != 200) {
          problem("producer append " + token + " (seq " + seq + ") expected 200: " + describe(r));
          return;
        }
        if (!recordAck(p.stream, token, body, r)) {
          return;
        }
        p.lastAckedSeq = seq;
        p.lastAckedBody = body;
        p.inFlightSeq = -1;
        p.inFlightBody = null;
        producerAcks.incrementAndGet();
        enough.countDown();
      } catch (IOException e) {
        onIoFailure("producer append " + token, e);
        return;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private boolean recordAck(String stream, String token, byte[] body, HttpResponse<byte[]> r) {
    String next = r.headers().firstValue("Stream-Next-Offset").orElse(null);
    Long pos = bytePosition(next);
    if (pos == null) {
      problem("append " + token + ": missing or malformed Stream-Next-Offset: " + describe(r));
      return false;
    }
    acks.add(new Ack(stream, token, body, next, pos));
    return true;
  }

  private void onIoFailure(String what, IOException e) {
    if (!killing.get()) {
      problem(what + " failed before the kill: " + e);
    }
  }

  private void problem(String p) {
    if (!killing.get()) {
      problems.add(p);
    }
  }

  /** {@code <token|stream|padding>}: unique, self-delimiting, 20-160 bytes. */
  private static byte[] body(String token, String stream, Random rnd) {
    StringBuilder sb = new StringBuilder().append('<').append(token).append('|').append(stream).append('|');
    int pad = rnd.nextInt(120);
    for (int i = 0; i < pad; i++) {
      sb.append((char) ('a' + rnd.nextInt(26)));
    }
    return sb.append('>').toString().getBytes(StandardCharsets.US_ASCII);
  }

  // ---------------------------------------------------------------- verification

  /** A stream as read after the restart, split into the bodies it consists of. */
  static final class StreamContent {
    byte[] data;
    String tailOffset;
    final Map<String, long[]> spans = new HashMap<>(); // token -> [start, end)
    int unacked;
  }

  private StreamContent verifyStream(NodeProcess node, String stream) throws Exception {
    StreamContent c = readAll(node, stream);

    // 1. The stream is exactly a concatenation of bodies we sent, each at most once.
    int pos = 0;
    byte[] d = c.data;
    while (pos < d.length) {
      int end = indexOf(d, (byte) '>', pos);
      int bar = indexOf(d, (byte) '|', pos);
      if (d[pos] != '<' || end < 0 || bar < 0 || bar > end) {
        fail(stream + ": bytes at position " + pos + " are not a whole appended body: " + snippet(d, pos));
      }
      String token = new String(d, pos + 1, bar - pos - 1, StandardCharsets.US_ASCII);
      byte[] expected = sent.get(token);
      byte[] actual = Arrays.copyOfRange(d, pos, end + 1);
      if (expected == null || !Arrays.equals(expected, actual)) {
        fail(stream + ": body at [" + pos + ", " + (end + 1) + ") was never sent: " + snippet(d, pos));
      }
      long[] prev = c.spans.put(token, new long[] {pos, end + 1});
      if (prev != null) {
        fail(stream + ": append " + token + " is stored twice, at " + prev[0] + " and " + pos);
      }
      pos = end + 1;
    }

    // 2. Every acknowledged append is there, ending exactly at its acknowledged offset.
    int acked = 0;
    for (Ack a : acks) {
      if (!a.stream().equals(stream)) {
        continue;
      }
      acked++;
      long[] span = c.spans.get(a.token());
      if (span == null) {
        fail(stream + ": acknowledged append " + a.token() + " (next offset " + a.nextOffset() + ") is lost");
      }
      assertEquals(a.nextPos(), span[1], stream + ": acknowledged append " + a.token() + " was acknowledged with "
          + a.nextOffset() + " but ends at byte " + span[1]);
      assertEquals(a.nextPos() - a.body().length, span[0], stream + ": " + a.token() + " starts at the wrong byte");
    }
    c.unacked = c.spans.size() - acked;
    return c;
  }

  /** GET from {@code offset=-1}, following {@code Stream-Next-Offset} until up to date. */
  private StreamContent readAll(NodeProcess node, String stream) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    String offset = "-1";
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    for (int page = 0; ; page++) {
      HttpResponse<byte[]> r = send(HttpRequest.newBuilder(URI.create(node.streamUri(stream) + "?offset=" + offset)).GET());
      assertEquals(200, r.statusCode(), "GET " + stream + " offset=" + offset + ": " + describe(r));
      out.write(r.body());
      String next = r.headers().firstValue("Stream-Next-Offset").orElse(null);
      Long nextPos = bytePosition(next);
      assertTrue(nextPos != null, "GET " + stream + ": missing or malformed Stream-Next-Offset: " + describe(r));
      assertEquals(out.size(), (long) nextPos, "GET " + stream + " offset=" + offset
          + ": Stream-Next-Offset " + next + " does not match the " + out.size() + " bytes read so far");
      boolean upToDate = r.headers().firstValue("Stream-Up-To-Date").map("true"::equalsIgnoreCase).orElse(false);
      if (upToDate) {
        StreamContent c = new StreamContent();
        c.data = out.toByteArray();
        c.tailOffset = next;
        return c;
      }
      assertTrue(!next.equals(offset) || r.body().length > 0, "GET " + stream + ": no progress at offset " + offset);
      assertTrue(System.nanoTime() < deadline, "reading " + stream + " took over 30 s (" + page + " pages)");
      offset = next;
    }
  }

  private void verifyProducerAfterRestart(NodeProcess node, Producer p, StreamContent c) throws Exception {
    String tail = c.tailOffset;
    long next = p.lastAckedSeq + 1;
    if (p.lastAckedSeq >= 0) {
      HttpResponse<byte[]> dup = send(producerAppend(node, p, p.lastAckedSeq, p.lastAckedBody));
      assertEquals(204, dup.statusCode(), p.id + ": retry of last acknowledged seq " + p.lastAckedSeq
          + " after restart must be a duplicate: " + describe(dup));
      assertEquals(tail, headOffset(node, p.stream), p.id + ": the duplicate retry changed the stream");
    }
    if (p.inFlightBody != null && p.inFlightSeq == next) {
      String token = new String(p.inFlightBody, 1, indexOf(p.inFlightBody, (byte) '|', 0) - 1, StandardCharsets.US_ASCII);
      boolean persisted = c.spans.containsKey(token);
      HttpResponse<byte[]> r = send(producerAppend(node, p, next, p.inFlightBody));
      assertEquals(persisted ? 204 : 200, r.statusCode(), p.id + ": resend of in-flight seq " + next
          + " (" + (persisted ? "" : "not ") + "persisted before the kill): " + describe(r));
      tail = headOffset(node, p.stream);
      next++;
    }
    byte[] fresh = body("p-after-" + p.id, p.stream, new Random(next));
    HttpResponse<byte[]> r = send(producerAppend(node, p, next, fresh));
    assertEquals(200, r.statusCode(), p.id + ": next seq " + next + " after restart: " + describe(r));
    expectAppendedAt(node, p.stream, tail, fresh, r);
  }

  private void verifyPlainAppendContinues(NodeProcess node, String stream, StreamContent c) throws Exception {
    String tail = headOffset(node, stream);
    byte[] fresh = body("w-after-" + stream, stream, new Random(7));
    HttpResponse<byte[]> r = send(HttpRequest.newBuilder(node.streamUri(stream))
        .POST(HttpRequest.BodyPublishers.ofByteArray(fresh)).header("Content-Type", OCTETS));
    assertEquals(204, r.statusCode(), stream + ": plain append after restart: " + describe(r));
    expectAppendedAt(node, stream, tail, fresh, r);
  }

  /** The append acknowledged by {@code r} ends at tail+len and reads back from {@code tail}. */
  private void expectAppendedAt(NodeProcess node, String stream, String tail, byte[] body, HttpResponse<byte[]> r)
      throws Exception {
    Long next = bytePosition(r.headers().firstValue("Stream-Next-Offset").orElse(null));
    assertEquals(bytePosition(tail) + body.length, next, stream + ": append after restart acknowledged at the wrong offset: "
        + describe(r));
    HttpResponse<byte[]> read = send(HttpRequest.newBuilder(URI.create(node.streamUri(stream) + "?offset=" + tail)).GET());
    assertEquals(200, read.statusCode(), describe(read));
    assertEquals(new String(body, StandardCharsets.US_ASCII), new String(read.body(), StandardCharsets.US_ASCII),
        stream + ": reading from the pre-append tail " + tail);
  }

  private String headOffset(NodeProcess node, String stream) throws Exception {
    HttpResponse<byte[]> r = send(HttpRequest.newBuilder(node.streamUri(stream))
        .method("HEAD", HttpRequest.BodyPublishers.noBody()));
    assertEquals(200, r.statusCode(), "HEAD " + stream + ": " + describe(r));
    return r.headers().firstValue("Stream-Next-Offset").orElseThrow(
        () -> new AssertionError("HEAD " + stream + " has no Stream-Next-Offset"));
  }

  // ---------------------------------------------------------------- helpers

  private static HttpRequest.Builder producerAppend(NodeProcess node, Producer p, long seq, byte[] body) {
    return HttpRequest.newBuilder(node.streamUri(p.stream))
        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
        .header("Content-Type", OCTETS)
        .header("Producer-Id", p.id)
        .header("Producer-Epoch", "0")
        .header("Producer-Seq", Long.toString(seq));
  }

  private HttpResponse<byte[]> send(HttpRequest.Builder request) throws IOException, InterruptedException {
    return http.send(request.timeout(REQUEST_TIMEOUT).build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  /** The byte position (right field) of a {@code %016d_%016d} offset, or null if malformed. */
  static Long bytePosition(String offset) {
    if (offset == null) {
      return null;
    }
    Matcher m = OFFSET.matcher(offset);
    return m.matches() ? Long.parseLong(m.group(2)) : null;
  }

  private static String describe(HttpResponse<byte[]> r) {
    String body = new String(r.body(), StandardCharsets.UTF_8);
    return r.statusCode() + " " + r.headers().map() + " " + (body.length() > 300 ? body.substring(0, 300) + "..." : body);
  }

  private static int indexOf(byte[] a, byte b, int from) {
    for (int i = from; i < a.length; i++) {
      if (a[i] == b) {
        return i;
      }
    }
    return -1;
  }

  private static String snippet(byte[] d, int pos) {
    int from = Math.max(0, pos - 20);
    int to = Math.min(d.length, pos + 60);
    return "'" + new String(d, from, to - from, StandardCharsets.ISO_8859_1) + "' (from byte " + from + ")";
  }

  private static long ms(long sinceNanos) {
    return (System.nanoTime() - sinceNanos) / 1_000_000;
  }
}
