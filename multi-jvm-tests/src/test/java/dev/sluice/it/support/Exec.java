package dev.sluice.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs an external tool (npm, node) to completion with a hard time bound, output to a log file.
 * On timeout the whole process tree is SIGKILLed, so a hung tool cannot outlive the test.
 *
 * <p>Thread-safe (stateless).
 */
public final class Exec {

  /** Exit code and where the output went. {@code timedOut} means the tree was killed. */
  public record Result(int exitCode, boolean timedOut, Duration took, Path log) {
    public String logTail(int lines) {
      return Exec.tail(log, lines);
    }
  }

  private Exec() {}

  /**
   * @throws IOException if the executable cannot be started at all (e.g. not on PATH)
   */
  public static Result run(List<String> command, Path workDir, Map<String, String> env, Path log,
                           Duration timeout) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(command)
        .directory(workDir.toFile())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
    pb.environment().putAll(env);
    long start = System.nanoTime();
    Process p = Reaper.track(pb.start());
    try {
      boolean done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (!done) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        p.waitFor(30, TimeUnit.SECONDS);
        return new Result(-1, true, Duration.ofNanos(System.nanoTime() - start), log);
      }
      return new Result(p.exitValue(), false, Duration.ofNanos(System.nanoTime() - start), log);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + command, e);
    } finally {
      // vitest forks workers; none may survive the test, whatever happened above.
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      if (p.isAlive()) {
        p.destroyForcibly();
      }
    }
  }

  /**
   * The first line of {@code command --version}-style output, or a failure naming the tool, so a
   * missing prerequisite fails the test loudly instead of skipping it.
   */
  public static String requireTool(String... command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new AssertionError("'" + String.join(" ", command) + "' failed: " + out);
      }
      return out.lines().findFirst().orElse("");
    } catch (IOException e) {
      throw new AssertionError("'" + command[0] + "' is required on PATH but cannot be run ("
          + e.getMessage() + "). Install Node.js 18+ with npm.", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The last {@code lines} lines of a text file, or a note if it cannot be read. */
  public static String tail(Path file, int lines) {
    try {
      List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException | UncheckedIOException e) {
      return "(cannot read " + file + ": " + e.getMessage() + ")";
    }
  }
}
