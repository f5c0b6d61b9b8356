package dev.sluice.it.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.sluice.it.support.ItEnv;
import dev.sluice.it.support.NodeProcess;
import dev.sluice.it.support.TmpfsMount;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Disk full, on a real filesystem: a node whose data directory is on a 64 MiB tmpfs (mounted by the
 * test) is filled by its own appends until writes fail. Then:
 *
 * <ul>
 *   <li>writes fail fast (under {@link #FAST}) with 507 Insufficient Storage and a Retry-After;
 *   <li>reads keep working and return every acknowledged byte at its offset;
 *   <li>once a ballast file the test put on the filesystem beforehand is deleted (8 MiB, less than
 *       RocksDB's 32 MiB write buffer, as in the bug report), appends succeed again within
 *       {@link #RECOVERY} without a restart;
 *   <li>after a SIGKILL and a restart, every acknowledged append is still there.
 * </ul>
 *
 * The figures (time to fail, time to recover) are printed as {@code disk-full:} lines.
 */
class DiskFullIT {

  static final int TMPFS_MIB = 64;
  static final int BALLAST_MIB = 8;
  static final int BODY_BYTES = 64 * 1024;
  static final Duration FAST = Duration.ofSeconds(2);
  static final Duration RECOVERY = Duration.ofSeconds(5);
  static final Duration FILL_LIMIT = Duration.ofSeconds(90);
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(15);
  static final String OCTETS = "application/octet-stream";

  record Ack(byte[] body, long nextPos) {}

  record Answer(int status, String retryAfter, String nextOffset, String body, long millis) {
    boolean ok() {
      return status == 200 || status == 204;
    }

    @Override
    public String toString() {
      return status + " in " + millis + " ms" + (retryAfter == null ? "" : " (Retry-After " + retryAfter + ")")
          + (body.isBlank() ? "" : ": " + body.strip());
    }
  }

  private final HttpClient http = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
  private final Random random = new Random(42);

  @Test
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void writesFailFastWhenTheDiskIsFullReadsGoOnAndWritesResumeOnceSpaceIsFreed() throws Exception {
    Path root = ItEnv.freshDataDir("DiskFullIT");
    try (TmpfsMount tmpfs = TmpfsMount.mount(root.resolve("mnt"), TMPFS_MIB)) {
      Path dataDir = tmpfs.dir().resolve("data");
      Path ballast = tmpfs.dir().resolve("ballast");
      writeBallast(ballast, BALLAST_MIB);
      List<Ack> acks = new ArrayList<>();
      String stream = "full";
      NodeProcess.Builder node = NodeProcess.builder("DiskFullIT", dataDir)
          // A smaller write buffer than the 32 MiB default so a 64 MiB filesystem holds a few flushes.
          .jvmOpts("-Dsluice.persistence.rocksdb.write-buffer-size=8MiB",
              "-Dsluice.persistence.rocksdb.min-free-space=12MiB");
      try (NodeProcess n = node.start()) {
        assertEquals(201, send(put(n, stream)).status(), "create");

        long fillStart = System.nanoTime();
        Answer failed = null;
        while (failed == null) {
          if (System.nanoTime() - fillStart > FILL_LIMIT.toNanos()) {
            fail("the 64 MiB filesystem was not full after " + FILL_LIMIT + " of appends (" + acks.size() + " acked)");
          }
          byte[] body = body();
          Answer a = send(append(n, stream, body));
          if (a.ok()) {
            acks.add(new Ack(body, position(a.nextOffset())));
          } else {
            failed = a;
          }
        }
        System.out.printf("disk-full: filled after %d acked appends of %d KiB in %d ms; first failed write: %s;"
                + " %d KiB free%n", acks.size(), BODY_BYTES / 1024, ms(fillStart), failed, tmpfs.usableBytes() / 1024);

        List<Answer> later = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
          later.add(send(append(n, stream, body())));
        }
        System.out.println("disk-full: later writes: " + later);
        for (Answer a : later) {
          assertEquals(507, a.status(), "writes on a full disk get 507 Insufficient Storage: " + later);
          assertTrue(a.millis() < FAST.toMillis(), "writes on a full disk fail fast: " + later);
          assertTrue(a.retryAfter() != null, "507 carries Retry-After: " + later);
        }

        long readStart = System.nanoTime();
        checkAcknowledged(n, stream, acks);
        System.out.printf("disk-full: read back %d acked appends while full in %d ms%n", acks.size(), ms(readStart));

        Files.delete(ballast);
        long freedAt = System.nanoTime();
        Answer resumed = null;
        List<Answer> tries = new ArrayList<>();
        while (System.nanoTime() - freedAt < Duration.ofSeconds(60).toNanos()) {
          byte[] body = body();
          Answer a = send(append(n, stream, body));
          if (a.ok()) {
            resumed = a;
            acks.add(new Ack(body, position(a.nextOffset())));
            break;
          }
          tries.add(a);
          pause(a);
        }
        long recoveredMs = ms(freedAt);
        System.out.printf("disk-full: freed %d MiB; first successful write %d ms later after %d failed tries %s%n",
            BALLAST_MIB, recoveredMs, tries.size(), tries.size() > 6 ? tries.subList(0, 6) + "..." : tries);
        assertTrue(resumed != null, "writes resumed within 60 s of freeing " + BALLAST_MIB + " MiB; tries: " + tries);
        assertTrue(recoveredMs < RECOVERY.toMillis(), "writes resumed within " + RECOVERY + ", took " + recoveredMs + " ms");
        for (int i = 0; i < 3; i++) {
          byte[] body = body();
          Answer a = send(append(n, stream, body));
          assertTrue(a.ok(), "writes keep working after recovery: " + a);
          acks.add(new Ack(body, position(a.nextOffset())));
        }
        checkAcknowledged(n, stream, acks);
        n.kill();
      }
      try (NodeProcess again = node.start()) {
        checkAcknowledged(again, stream, acks);
        System.out.printf("disk-full: all %d acked appends present after SIGKILL and restart%n", acks.size());
      }
    }
  }

  private void checkAcknowledged(NodeProcess n, String stream, List<Ack> acks) throws Exception {
    if (acks.isEmpty()) {
      return;
    }
    long end = acks.get(acks.size() - 1).nextPos();
    byte[] all = readUpTo(n, stream, end);
    for (Ack a : acks) {
      int from = (int) (a.nextPos() - a.body().length);
      for (int i = 0; i < a.body().length; i++) {
        if (all[from + i] != a.body()[i]) {
          fail("acknowledged append ending at " + a.nextPos() + " differs at byte " + (from + i));
        }
      }
    }
  }

  /** GET from -1 following Stream-Next-Offset until {@code end} bytes are read. */
  private byte[] readUpTo(NodeProcess n, String stream, long end) throws Exception {
    byte[] all = new byte[(int) end];
    int have = 0;
    String offset = "-1";
    while (have < end) {
      long t0 = System.nanoTime();
      HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(java.net.URI.create(n.streamUri(stream) + "?offset=" + offset))
          .timeout(REQUEST_TIMEOUT).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
      assertEquals(200, r.statusCode(), "read at " + offset + " after " + ms(t0) + " ms: " + new String(r.body()));
      byte[] b = r.body();
      if (b.length == 0) {
        fail("read at " + offset + " returned nothing before the acknowledged end " + end + " (have " + have + ")");
      }
      System.arraycopy(b, 0, all, have, (int) Math.min(b.length, end - have));
      have += b.length;
      offset = r.headers().firstValue("Stream-Next-Offset").orElseThrow();
    }
    return all;
  }

  private HttpRequest.Builder put(NodeProcess n, String stream) {
    return HttpRequest.newBuilder(n.streamUri(stream)).PUT(HttpRequest.BodyPublishers.noBody())
        .header("Content-Type", OCTETS);
  }

  private HttpRequest.Builder append(NodeProcess n, String stream, byte[] body) {
    return HttpRequest.newBuilder(n.streamUri(stream)).POST(HttpRequest.BodyPublishers.ofByteArray(body))
        .header("Content-Type", OCTETS);
  }

  private Answer send(HttpRequest.Builder b) throws IOException, InterruptedException {
    long t0 = System.nanoTime();
    try {
      HttpResponse<String> r = http.send(b.timeout(REQUEST_TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
      return new Answer(r.statusCode(), r.headers().firstValue("Retry-After").orElse(null),
          r.headers().firstValue("Stream-Next-Offset").orElse(null), r.body(), ms(t0));
    } catch (HttpTimeoutException e) {
      return new Answer(-1, null, null, "no answer within " + REQUEST_TIMEOUT, ms(t0));
    }
  }

  /** A client honouring Retry-After would wait longer; the test retries at most every 100 ms. */
  private static void pause(Answer a) throws InterruptedException {
    if (a.millis() < 100) {
      TimeUnit.MILLISECONDS.sleep(100 - a.millis());
    }
  }

  private byte[] body() {
    byte[] b = new byte[BODY_BYTES];
    random.nextBytes(b); // incompressible, so RocksDB's LZ4 cannot shrink what fills the disk
    return b;
  }

  private static void writeBallast(Path file, int mib) throws IOException {
    byte[] chunk = new byte[1 << 20];
    new Random(7).nextBytes(chunk);
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      for (int i = 0; i < mib; i++) {
        f.write(chunk);
      }
      f.getFD().sync();
    }
  }

  private static long position(String offset) {
    return Long.parseLong(offset.substring(offset.indexOf('_') + 1));
  }

  private static long ms(long sinceNanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sinceNanos);
  }
}
