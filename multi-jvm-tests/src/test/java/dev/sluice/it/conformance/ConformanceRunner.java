package dev.sluice.it.conformance;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.it.support.Exec;
import dev.sluice.it.support.ItEnv;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs the official Durable Streams conformance suite, pinned in
 * {@code multi-jvm-tests/conformance/package.json} (+ committed {@code package-lock.json}), against
 * a running server: checks node and npm exist (a missing tool FAILS, it never skips), {@code npm ci}
 * if the pinned suite is not installed, runs vitest on {@code ds-conformance.test.mjs} with a JSON
 * reporter and parses the report. {@code -Dsluice.it.conformance.filter=<vitest -t pattern>} runs a
 * subset (dev loops). Used by {@link ConformanceIT} (one node) and {@link ClusterConformanceIT}.
 */
final class ConformanceRunner {
  static final String SUITE = "@durable-streams/server-conformance-tests";
  private static final String WRAPPER = "ds-conformance.test.mjs";
  private static final Duration NPM_CI_TIMEOUT = Duration.ofMinutes(5);
  static final Duration SUITE_TIMEOUT = Duration.ofMinutes(10);

  private ConformanceRunner() {}

  /** What one run produced: the vitest outcome and, if it wrote one, the parsed report. */
  record Run(Exec.Result exec, Path report, Path vitestLog) {
    /** The summary, or a test failure saying why there is none. */
    Summary summary() throws IOException {
      if (exec.timedOut()) {
        fail("conformance suite did not finish within " + SUITE_TIMEOUT + "; vitest log " + vitestLog + ":\n" + exec.logTail(40));
      }
      if (!Files.exists(report)) {
        fail("vitest wrote no JSON report (exit code " + exec.exitCode() + "); log " + vitestLog + ":\n" + exec.logTail(60));
      }
      return Summary.parse(report, exec.took());
    }
  }

  /** Installs the pinned suite if needed (once per JVM is enough; it checks). */
  static void prepare(String label) throws IOException {
    Path dir = ItEnv.conformanceDir();
    String nodeVersion = Exec.requireTool("node", "--version");
    String npmVersion = Exec.requireTool("npm", "--version");
    String pinned = pinnedVersion(dir);
    System.out.printf("conformance: node %s, npm %s, %s@%s in %s%n", nodeVersion, npmVersion, SUITE, pinned, dir);
    ensureInstalled(dir, pinned, ItEnv.logDir().resolve(label + "-npm-ci.log"));
  }

  /** Runs the suite against {@code baseUrl}; logs go to {@code target/it-logs/<label>-vitest.log} and {@code -report.json}. */
  static Run run(String label, String baseUrl) throws IOException {
    return run(label, baseUrl, false);
  }

  /**
   * As {@link #run(String, String)}; {@code subscriptions} also runs the suite's "Reserved
   * subscription APIs" tests (checklist §15), which the suite skips unless asked.
   */
  static Run run(String label, String baseUrl, boolean subscriptions) throws IOException {
    return run(label, baseUrl, subscriptions, System.getProperty("sluice.it.conformance.filter", ""));
  }

  /** As {@link #run(String, String, boolean)}, only the tests whose names match {@code filter} (vitest {@code -t}; blank: all). */
  static Run run(String label, String baseUrl, boolean subscriptions, String filter) throws IOException {
    Path dir = ItEnv.conformanceDir();
    Path logs = ItEnv.logDir();
    Path report = logs.resolve(label + "-report.json").toAbsolutePath();
    Files.deleteIfExists(report);
    Path vitestLog = logs.resolve(label + "-vitest.log").toAbsolutePath();
    List<String> cmd = new ArrayList<>(List.of(
        "node", dir.resolve("node_modules/vitest/vitest.mjs").toString(), "run", WRAPPER,
        "--no-coverage", "--reporter=default", "--reporter=json", "--outputFile.json=" + report));
    if (!filter.isBlank()) {
      cmd.addAll(List.of("-t", filter));
    }
    Map<String, String> env = new HashMap<>();
    env.put("CONFORMANCE_TEST_URL", stripTrailingSlash(baseUrl));
    env.put("CI", "true");
    env.put("NO_COLOR", "1");
    env.put("FORCE_COLOR", "0");
    if (subscriptions) env.put("DS_CONF_SUBSCRIPTIONS", "1");
    return new Run(Exec.run(cmd, dir, env, vitestLog, SUITE_TIMEOUT), report, vitestLog);
  }

  /** Writes {@code text} to {@code target/it-logs/<label>-summary.txt}. */
  static void writeSummary(String label, String text) throws IOException {
    Files.writeString(ItEnv.logDir().resolve(label + "-summary.txt"), text + "\n", StandardCharsets.UTF_8);
  }

  /** {@code npm ci} unless the pinned suite version is already installed. */
  private static void ensureInstalled(Path dir, String pinned, Path log) throws IOException {
    Path installed = dir.resolve("node_modules").resolve(SUITE).resolve("package.json");
    boolean vitestPresent = Files.exists(dir.resolve("node_modules/vitest/vitest.mjs"));
    if (vitestPresent && Files.exists(installed) && pinned.equals(jsonString(installed, "version"))) {
      return;
    }
    System.out.println("conformance: running npm ci in " + dir);
    Exec.Result r = Exec.run(List.of("npm", "ci", "--no-audit", "--no-fund"), dir, Map.of(), log, NPM_CI_TIMEOUT);
    if (r.timedOut() || r.exitCode() != 0) {
      fail("npm ci failed in " + dir + " (exit " + r.exitCode() + (r.timedOut() ? ", timed out" : "")
          + "); log " + log + ":\n" + r.logTail(40));
    }
    System.out.printf("conformance: npm ci took %.1f s%n", r.took().toMillis() / 1000.0);
  }

  private static String pinnedVersion(Path dir) throws IOException {
    JsonNode pkg = new ObjectMapper().readTree(dir.resolve("package.json").toFile());
    String v = pkg.path("dependencies").path(SUITE).asText("");
    if (!v.matches("\\d+\\.\\d+\\.\\d+")) {
      fail(dir.resolve("package.json") + " must pin " + SUITE + " to an exact version, found '" + v + "'");
    }
    return v;
  }

  private static String jsonString(Path file, String field) throws IOException {
    return new ObjectMapper().readTree(file.toFile()).path(field).asText("");
  }

  private static String stripTrailingSlash(String s) {
    return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }

  /** The numbers of a vitest JSON report, plus every failed test with its first failure line. */
  record Summary(int passed, int failed, int skipped, int total, int failedSuites, Duration took,
                 List<String> failures, List<String> failedTitles) {

    private static final Pattern ANSI = Pattern.compile("\u001B\\[[0-9;]*m");

    /**
     * Whether every failure is a test's own, none a whole file's (a file that failed to load or
     * crashed). Not {@code failedSuites == 0}: vitest counts each describe block holding a failed
     * test as a failed suite, so that is never zero when a test failed.
     */
    boolean onlyTestsFailed() {
      return failures.stream().noneMatch(f -> f.startsWith("FILE "));
    }

    static Summary parse(Path report, Duration took) throws IOException {
      JsonNode r = new ObjectMapper().readTree(report.toFile());
      List<String> failures = new ArrayList<>();
      List<String> titles = new ArrayList<>();
      for (JsonNode file : r.path("testResults")) {
        for (JsonNode t : file.path("assertionResults")) {
          if ("failed".equals(t.path("status").asText())) {
            List<String> path = new ArrayList<>();
            t.path("ancestorTitles").forEach(a -> path.add(a.asText()));
            path.add(t.path("title").asText());
            String why = t.path("failureMessages").path(0).asText("");
            failures.add(String.join(" > ", path) + firstLine(why));
            titles.add(t.path("title").asText());
          }
        }
        if ("failed".equals(file.path("status").asText()) && file.path("assertionResults").isEmpty()) {
          failures.add("FILE " + file.path("name").asText() + firstLine(file.path("message").asText("")));
        }
      }
      int skipped = r.path("numPendingTests").asInt() + r.path("numTodoTests").asInt();
      return new Summary(r.path("numPassedTests").asInt(), r.path("numFailedTests").asInt(), skipped,
          r.path("numTotalTests").asInt(), r.path("numFailedTestSuites").asInt(), took, failures, titles);
    }

    private static String firstLine(String message) {
      String clean = ANSI.matcher(message).replaceAll("").strip();
      if (clean.isEmpty()) {
        return "";
      }
      Matcher m = Pattern.compile("^[^\\n]*").matcher(clean);
      String line = m.find() ? m.group() : clean;
      return "  --  " + (line.length() > 200 ? line.substring(0, 200) + "..." : line);
    }

    String render() {
      StringBuilder sb = new StringBuilder();
      if (!failures.isEmpty()) {
        sb.append("Failed tests (").append(failures.size()).append("):\n");
        failures.forEach(f -> sb.append("  FAILED: ").append(f).append('\n'));
      }
      sb.append(String.format("CONFORMANCE RESULT: passed=%d failed=%d skipped=%d total=%d duration=%ds",
          passed, failed, skipped, total, took.toSeconds()));
      return sb.toString();
    }
  }
}
