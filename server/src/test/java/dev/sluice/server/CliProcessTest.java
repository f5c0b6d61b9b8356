package dev.sluice.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.cluster.SluiceVersion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server's main in a child JVM, as bin/sluice runs it: a bad flag exits with status 2 and one
 * line on stderr, without a stack trace and without starting anything (regression: "--port abc"
 * printed a stack trace and exited 1, "--fsync maybe" only after the actor system had started).
 */
class CliProcessTest {
  @TempDir
  Path dir;

  record Result(int status, String out, String err) {}

  private Result run(String... args) throws IOException, InterruptedException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    var command = new ArrayList<>(List.of(java, "-cp", cp, Main.class.getName()));
    command.addAll(List.of(args));
    Path out = dir.resolve("out.txt");
    Path err = dir.resolve("err.txt");
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    try {
      assertTrue(p.waitFor(60, TimeUnit.SECONDS), "exited: " + Files.readString(err));
    } finally {
      p.destroyForcibly();
    }
    return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
  }

  @Test
  void aBadFlagExits2WithOneLineAndNoStackTrace() throws Exception {
    for (var args : List.of(new String[] {"--port", "abc"}, new String[] {"--fsync", "maybe", "--data-dir", "d"})) {
      Result r = run(args);
      assertEquals(2, r.status(), r.err());
      assertEquals(1, r.err().lines().count(), r.err());
      assertTrue(r.err().startsWith("sluice: " + args[0] + ": expected "), r.err());
      assertFalse(r.err().contains("Exception") || r.err().contains("at "), r.err());
      assertEquals("", r.out());
      assertFalse(Files.exists(dir.resolve("d")), "nothing started: no data directory");
    }
  }

  @Test
  void versionPrintsTheVersionAndExits0() throws Exception {
    Result r = run("--version");
    assertEquals(0, r.status(), r.err());
    assertEquals("sluice " + SluiceVersion.get() + "\n", r.out());
    assertEquals("", r.err());
  }
}
