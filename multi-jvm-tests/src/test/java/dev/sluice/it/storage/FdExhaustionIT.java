package dev.sluice.it.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.sluice.it.support.ItEnv;
import dev.sluice.it.support.NodeProcess;
import dev.sluice.it.support.RawHttp;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A transient RocksDB background error, made the real way: the node's file-descriptor limit is cut
 * (with {@code prlimit} on its pid) to the descriptors it already holds, so when its 1 MiB memtable
 * fills, RocksDB cannot create the next write-ahead log or SST file. RocksDB marks such IO errors
 * fatal and refuses every later write; before this fix that lasted until a restart. The test
 * talks over one kept-alive connection, which needs no new descriptor.
 *
 * <ul>
 *   <li>while descriptors are exhausted, writes fail fast (under {@link #FAST}) with 503 and
 *       Retry-After;
 *   <li>once the limit is restored, writes succeed again within {@link #RECOVERY}, no restart;
 *   <li>every acknowledged append reads back, also after SIGKILL and restart.
 * </ul>
 * Figures are printed as {@code fd-exhaustion:} lines.
 */
class FdExhaustionIT {

  static final int BODY_BYTES = 128 * 1024;
  static final Duration FAST = Duration.ofSeconds(2);
  static final Duration RECOVERY = Duration.ofSeconds(5);
  static final int READ_TIMEOUT_MS = 20_000;
  static final Map<String, String> OCTETS = Map.of("Content-Type", "application/octet-stream");

  record Ack(byte[] body, long nextPos) {}

  private final Random random = new Random(11);

  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void writesRecoverWithoutRestartOnceFileDescriptorsAreBack() throws Exception {
    Path dataDir = ItEnv.freshDataDir("FdExhaustionIT");
    NodeProcess.Builder builder = NodeProcess.builder("FdExhaustionIT", dataDir)
        .jvmOpts("-Dsluice.persistence.rocksdb.write-buffer-size=1MiB");
    String path = "/v1/stream/fds";
    List<Ack> acks = new ArrayList<>();
    try (NodeProcess node = builder.start(); RawHttp http = new RawHttp(node.baseUri(), READ_TIMEOUT_MS)) {
      assertEquals(201, http.send("PUT", path, OCTETS, new byte[0]).status(), "create");
      for (int i = 0; i < 3; i++) {
        append(http, path, acks);
      }
      long limit = firstFreeFd(node.pid());
      // Only the soft limit moves: raising a lowered hard limit again needs CAP_SYS_RESOURCE.
      String[] before = prlimit(node.pid(), null).trim().split("\\s+");
      String soft = before[0];
      String hard = before[1];
      prlimit(node.pid(), limit + ":" + hard);
      RawHttp.Response failed = null;
      try {
        long t0 = System.nanoTime();
        // 1 MiB memtables: within ~16 appends of 128 KiB RocksDB must switch logs and flush.
        for (int i = 0; i < 64 && failed == null; i++) {
          byte[] body = body();
          RawHttp.Response r = http.send("POST", path, OCTETS, body);
          if (ok(r)) {
            acks.add(new Ack(body, position(r.header("Stream-Next-Offset"))));
          } else {
            failed = r;
          }
        }
        if (failed == null) {
          fail("writes kept succeeding with no free file descriptor (limit " + limit + ")");
        }
        System.out.printf("fd-exhaustion: limit %d (was %s); first failed write after %d ms: %s%n",
            limit, soft, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), failed);
        List<RawHttp.Response> later = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
          later.add(http.send("POST", path, OCTETS, body()));
        }
        System.out.println("fd-exhaustion: later writes while exhausted: " + later);
        for (RawHttp.Response r : later) {
          assertEquals(503, r.status(), "writes while storage fails: " + later);
          assertTrue(r.millis() < FAST.toMillis(), "writes while storage fails answer fast: " + later);
          assertTrue(r.header("Retry-After") != null, "503 carries Retry-After: " + later);
        }
      } finally {
        prlimit(node.pid(), soft + ":" + hard);
      }
      long restored = System.nanoTime();
      List<RawHttp.Response> tries = new ArrayList<>();
      RawHttp.Response resumed = null;
      while (System.nanoTime() - restored < TimeUnit.SECONDS.toNanos(60)) {
        byte[] body = body();
        RawHttp.Response r = http.send("POST", path, OCTETS, body);
        if (ok(r)) {
          acks.add(new Ack(body, position(r.header("Stream-Next-Offset"))));
          resumed = r;
          break;
        }
        tries.add(r);
        if (r.millis() < 100) {
          TimeUnit.MILLISECONDS.sleep(100 - r.millis()); // retry pacing, bounded by the deadline above
        }
      }
      long recoveredMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restored);
      System.out.printf("fd-exhaustion: limit restored; first successful write %d ms later after %d failed tries %s%n",
          recoveredMs, tries.size(), tries.size() > 6 ? tries.subList(0, 6) + "..." : tries);
      assertTrue(resumed != null, "writes resumed within 60 s of restoring the fd limit; tries: " + tries);
      assertTrue(recoveredMs < RECOVERY.toMillis(), "writes resumed within " + RECOVERY + ", took " + recoveredMs + " ms");
      for (int i = 0; i < 20; i++) {
        append(http, path, acks); // several memtable switches and flushes: storage works for real
      }
      checkAcknowledged(http, path, acks);
      node.kill();
    }
    try (NodeProcess again = builder.start(); RawHttp http = new RawHttp(again.baseUri(), READ_TIMEOUT_MS)) {
      checkAcknowledged(http, path, acks);
      System.out.printf("fd-exhaustion: all %d acked appends present after SIGKILL and restart%n", acks.size());
    }
  }

  private void append(RawHttp http, String path, List<Ack> acks) throws IOException {
    byte[] body = body();
    RawHttp.Response r = http.send("POST", path, OCTETS, body);
    assertTrue(ok(r), "append: " + r);
    acks.add(new Ack(body, position(r.header("Stream-Next-Offset"))));
  }

  private static void checkAcknowledged(RawHttp http, String path, List<Ack> acks) throws IOException {
    long end = acks.get(acks.size() - 1).nextPos();
    byte[] all = new byte[(int) end];
    int have = 0;
    String offset = "-1";
    while (have < end) {
      RawHttp.Response r = http.send("GET", path + "?offset=" + offset, Map.of(), null);
      assertEquals(200, r.status(), "read at " + offset + ": " + r);
      if (r.body().length == 0) {
        fail("read at " + offset + " returned nothing before the acknowledged end " + end);
      }
      System.arraycopy(r.body(), 0, all, have, (int) Math.min(r.body().length, end - have));
      have += r.body().length;
      offset = r.header("Stream-Next-Offset");
    }
    for (Ack a : acks) {
      int from = (int) (a.nextPos() - a.body().length);
      for (int i = 0; i < a.body().length; i++) {
        if (all[from + i] != a.body()[i]) {
          fail("acknowledged append ending at " + a.nextPos() + " differs at byte " + (from + i));
        }
      }
    }
  }

  /** The lowest descriptor number the process does not use: a limit there leaves it none to open. */
  private static long firstFreeFd(long pid) throws IOException {
    Set<Long> used = new HashSet<>();
    try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
      fds.forEach(p -> used.add(Long.parseLong(p.getFileName().toString())));
    }
    long fd = 0;
    while (used.contains(fd)) {
      fd++;
    }
    return fd;
  }

  /** {@code prlimit --pid PID --nofile=SOFT:HARD}, or prints "SOFT HARD" of now when null. */
  private static String prlimit(long pid, String nofile) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("prlimit", "--pid", Long.toString(pid)));
    cmd.addAll(nofile == null ? List.of("--nofile", "--output=SOFT,HARD", "--noheadings") : List.of("--nofile=" + nofile));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new AssertionError(String.join(" ", cmd) + " failed: " + out);
    }
    return out;
  }

  private static boolean ok(RawHttp.Response r) {
    return r.status() == 200 || r.status() == 204;
  }

  private byte[] body() {
    byte[] b = new byte[BODY_BYTES];
    random.nextBytes(b);
    return b;
  }

  private static long position(String offset) {
    return Long.parseLong(offset.substring(offset.indexOf('_') + 1));
  }
}
