package dev.sluice.it.process;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.it.support.ItEnv;
import dev.sluice.it.support.NodeProcess;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * A damaged write-ahead log, as an operator would meet it: a node takes acknowledged appends, is
 * killed with SIGKILL (so every acknowledged append lives only in the newest RocksDB {@code *.log}),
 * the log is damaged, and the node is started again on it.
 *
 * <ul>
 *   <li>16 flipped bytes in the middle of the log, or 100 KB cut off its tail: the node must refuse
 *       to start, with an error naming what was found, and keep refusing.
 *   <li>Garbage after the last record (a torn, unacknowledged group commit): the node starts, every
 *       acknowledged append reads back at its offset, and the next append gets a fresh offset.
 * </ul>
 *
 * One load run; each scenario works on its own copy of the killed node's data directory.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WalDamageIT {
  private static final int STREAMS = 4;
  private static final int APPENDS_PER_STREAM = 400;
  private static final int BODY_BYTES = 200;
  private static final String OCTETS = "application/octet-stream";

  private final HttpClient http = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5))
      .build();

  /** Acknowledged appends per stream, in order: body and the byte position it ends at. */
  private final Map<String, List<Ack>> acks = new ConcurrentHashMap<>();
  private Path killed;

  record Ack(byte[] body, long end) {}

  @BeforeAll
  @Timeout(value = 2, unit = TimeUnit.MINUTES)
  void acknowledgeAppendsThenKill() throws Exception {
    killed = ItEnv.freshDataDir("WalDamageIT");
    try (NodeProcess node = NodeProcess.start("WalDamageIT", killed)) {
      ExecutorService pool = Executors.newFixedThreadPool(STREAMS);
      List<Future<?>> writers = new ArrayList<>();
      for (int s = 0; s < STREAMS; s++) {
        String stream = "wal-" + s;
        writers.add(pool.submit(() -> {
          writeStream(node, stream);
          return null;
        }));
      }
      for (Future<?> w : writers) {
        w.get(90, TimeUnit.SECONDS);
      }
      pool.shutdown();
      node.kill();
    }
    int total = acks.values().stream().mapToInt(List::size).sum();
    assertEquals(STREAMS * APPENDS_PER_STREAM, total);
    System.out.printf("wal-damage: %d appends acknowledged in %d streams, then SIGKILL; newest WAL %s (%d bytes)%n",
        total, STREAMS, newestWal(killed).getFileName(), Files.size(newestWal(killed)));
  }

  private void writeStream(NodeProcess node, String stream) throws Exception {
    HttpResponse<byte[]> created = send(HttpRequest.newBuilder(node.streamUri(stream))
        .PUT(HttpRequest.BodyPublishers.noBody()).header("Content-Type", OCTETS));
    assertEquals(201, created.statusCode());
    List<Ack> log = new ArrayList<>();
    Random rnd = new Random(stream.hashCode());
    for (int i = 0; i < APPENDS_PER_STREAM; i++) {
      byte[] body = new byte[BODY_BYTES];
      rnd.nextBytes(body);
      HttpResponse<byte[]> r = send(HttpRequest.newBuilder(node.streamUri(stream))
          .POST(HttpRequest.BodyPublishers.ofByteArray(body)).header("Content-Type", OCTETS));
      assertEquals(204, r.statusCode(), "append " + i + " to " + stream);
      log.add(new Ack(body, position(r)));
    }
    acks.put(stream, log);
  }

  @Test
  @Timeout(value = 2, unit = TimeUnit.MINUTES)
  void flippedBytesInTheMiddleOfTheLogStopTheNodeAtStart() throws Exception {
    Path dir = copyOfKilled("flipped");
    try (RandomAccessFile f = new RandomAccessFile(newestWal(dir).toFile(), "rw")) {
      long middle = f.length() / 2;
      byte[] run = new byte[16];
      f.seek(middle);
      f.readFully(run);
      for (int i = 0; i < run.length; i++) {
        run[i] = (byte) ~run[i];
      }
      f.seek(middle);
      f.write(run);
    }
    assertRefusesToStart(dir);
    assertRefusesToStart(dir); // and the refused start repaired nothing into a shorter history
  }

  @Test
  @Timeout(value = 2, unit = TimeUnit.MINUTES)
  void aTailCutBelowAcknowledgedDataStopsTheNodeAtStart() throws Exception {
    Path dir = copyOfKilled("cut");
    try (RandomAccessFile f = new RandomAccessFile(newestWal(dir).toFile(), "rw")) {
      assertTrue(f.length() > 200 * 1024, "WAL too small for the test: " + f.length());
      f.setLength(f.length() - 100 * 1024);
    }
    assertRefusesToStart(dir);
  }

  @Test
  @Timeout(value = 2, unit = TimeUnit.MINUTES)
  void aTornUnacknowledgedTailIsDroppedAndEveryAcknowledgedAppendIsKept() throws Exception {
    Path dir = copyOfKilled("torn");
    byte[] torn = new byte[700];
    new Random(7).nextBytes(torn);
    try (RandomAccessFile f = new RandomAccessFile(newestWal(dir).toFile(), "rw")) {
      f.seek(f.length());
      f.write(torn);
    }
    try (NodeProcess node = NodeProcess.start("WalDamageIT", dir)) {
      int checked = 0;
      for (var e : acks.entrySet()) {
        byte[] data = readAll(node, e.getKey());
        for (Ack a : e.getValue()) {
          byte[] stored = Arrays.copyOfRange(data, (int) (a.end - a.body.length), (int) a.end);
          assertArrayEquals(a.body, stored, e.getKey() + " at " + a.end);
          checked++;
        }
        long lastAcked = e.getValue().get(e.getValue().size() - 1).end;
        HttpResponse<byte[]> next = send(HttpRequest.newBuilder(node.streamUri(e.getKey()))
            .POST(HttpRequest.BodyPublishers.ofString("after")).header("Content-Type", OCTETS));
        assertEquals(204, next.statusCode());
        assertEquals(lastAcked + 5, position(next), "the next append continues after every acknowledged one");
      }
      System.out.printf("wal-damage: torn tail dropped, %d acknowledged appends read back at their offsets%n", checked);
      node.stop();
    }
  }

  private void assertRefusesToStart(Path dir) {
    long t0 = System.nanoTime();
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> NodeProcess.builder("WalDamageIT", dir).readyTimeout(Duration.ofSeconds(60)).start());
    String message = e.getMessage();
    assertTrue(message.contains("before its READY line"), "the process must exit, not hang: " + message);
    assertFalse(message.contains("exit code 0"), message);
    assertTrue(message.contains("refusing to start"), message);
    assertTrue(message.contains("acknowledged"), message);
    System.out.printf("wal-damage: %s refused to start after %d ms%n", dir.getFileName(),
        (System.nanoTime() - t0) / 1_000_000);
  }

  // ---------------------------------------------------------------- helpers

  private Path copyOfKilled(String name) throws IOException {
    Path dir = ItEnv.freshDataDir("WalDamageIT-" + name);
    try (Stream<Path> files = Files.list(killed)) {
      for (Path p : files.toList()) {
        if (Files.isRegularFile(p)) {
          Files.copy(p, dir.resolve(p.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
    return dir;
  }

  private static Path newestWal(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.getFileName().toString().endsWith(".log"))
          .max(Comparator.comparing(p -> p.getFileName().toString()))
          .orElseThrow(() -> new AssertionError("no *.log in " + dir));
    }
  }

  private byte[] readAll(NodeProcess node, String stream) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    String offset = "-1";
    for (int guard = 0; guard < 10_000; guard++) {
      HttpResponse<byte[]> r = send(HttpRequest.newBuilder(URI.create(node.streamUri(stream) + "?offset=" + offset)).GET());
      assertEquals(200, r.statusCode(), "read " + stream);
      out.write(r.body());
      offset = r.headers().firstValue("Stream-Next-Offset").orElseThrow();
      if (r.headers().firstValue("Stream-Up-To-Date").map("true"::equals).orElse(false)) {
        return out.toByteArray();
      }
    }
    throw new AssertionError("read of " + stream + " never reached the tail");
  }

  private static long position(HttpResponse<?> r) {
    String next = r.headers().firstValue("Stream-Next-Offset").orElseThrow();
    return Long.parseLong(next.substring(next.indexOf('_') + 1));
  }

  private HttpResponse<byte[]> send(HttpRequest.Builder b) throws IOException, InterruptedException {
    return http.send(b.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofByteArray());
  }
}
