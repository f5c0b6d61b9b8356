package dev.sluice.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

/**
 * A node whose configuration is valid but that still cannot start, run as bin/sluice runs it (a
 * child JVM): the HTTP port held by another process, the data directory held by another process.
 * Each exits with status 1 and one line naming the cause and what to do, with no stack trace.
 */
class StartFailureProcessTest {
  @TempDir
  Path dir;

  record Result(int status, String err, String out) {
    List<String> sluiceLines() {
      return err.lines().filter(l -> l.startsWith("sluice: ")).toList();
    }
  }

  private Result run(Map<String, String> env, String... args) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    var command = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", cp,
        Main.class.getName(), "--host", "127.0.0.1", "--management-port", "off"));
    command.addAll(List.of(args));
    Path err = dir.resolve("err-" + System.nanoTime() + ".txt");
    Path out = dir.resolve("out-" + System.nanoTime() + ".txt");
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectOutput(out.toFile())
        .redirectError(err.toFile());
    pb.environment().putAll(env);
    Process p = pb.start();
    try {
      assertTrue(p.waitFor(90, TimeUnit.SECONDS), "did not exit: " + Files.readString(err));
    } finally {
      p.destroyForcibly();
    }
    Result r = new Result(p.exitValue(), Files.readString(err), Files.readString(out));
    // The exit must not wait out a shutdown phase: System.exit on one of the actor system's own threads
    // made its termination wait for that thread (10 s, "phase [actor-system-terminate] timed out").
    assertFalse((r.err() + r.out()).contains("timed out after"), "the failed start's exit waited for a shutdown timeout:\n" + r.out() + r.err());
    return r;
  }

  private static void assertNoStackTrace(String err) {
    assertFalse(err.lines().anyMatch(l -> l.strip().startsWith("at ") || l.contains("\\tat ") || l.startsWith("Caused by")), err);
  }

  @Test
  void httpPortInUseExits1WithOneLine() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      // JSON logs (SLUICE_LOG_FORMAT=json): every other line the node wrote is one JSON object.
      Result r = run(Map.of("SLUICE_LOG_FORMAT", "json"), "--port", Integer.toString(taken.getLocalPort()), "--data-dir", "d");
      assertEquals(Main.START_FAILED, r.status(), r.err());
      assertEquals(List.of("sluice: failed to start: cannot listen on 127.0.0.1:" + taken.getLocalPort()
          + ": address already in use (another process listens there); stop it or choose another port (--port, --management-port)"),
          r.sluiceLines(), r.err());
      assertNoStackTrace(r.err());
      List<String> others = r.err().lines().filter(l -> !l.startsWith("sluice: ") && !l.isBlank()).toList();
      assertFalse(others.isEmpty(), "the node logged nothing before failing");
      for (String l : others) assertTrue(l.startsWith("{") && l.endsWith("}") && l.contains("\"level\""), "not a JSON log line: " + l);
    }
  }

  @Test
  void dataDirectoryLockedByAnotherProcessExits1WithOneLine() throws Exception {
    Path data = Files.createDirectories(dir.resolve("data"));
    RocksDB.loadLibrary();
    try (Options o = new Options().setCreateIfMissing(true); RocksDB held = RocksDB.open(o, data.toString())) {
      Result r = run(Map.of(), "--port", "0", "--data-dir", data.toString());
      assertEquals(Main.START_FAILED, r.status(), r.err());
      assertEquals(List.of("sluice: failed to start: the data directory " + data + " is in use by another process"
          + " (RocksDB holds a lock on it); stop that process or choose another --data-dir"), r.sluiceLines(), r.err());
      assertNoStackTrace(r.err());
    }
  }

  @Test
  void anUnknownLogFormatIsAUsageError() throws Exception {
    Result r = run(Map.of("SLUICE_LOG_FORMAT", "xml"), "--port", "0");
    assertEquals(Main.USAGE, r.status(), r.err());
    assertEquals("sluice: SLUICE_LOG_FORMAT: expected text or json, got 'xml'", r.err().strip());
  }
}
