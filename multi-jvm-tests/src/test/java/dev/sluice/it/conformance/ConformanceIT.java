package dev.sluice.it.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.sluice.it.support.ItEnv;
import dev.sluice.it.support.NodeProcess;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The official Durable Streams conformance suite ({@link ConformanceRunner}) against one freshly
 * started Sluice node with an empty data dir and {@code --long-poll-timeout 500ms} (several suite
 * tests wait for a long-poll to time out under vitest's 5 s default test timeout), with the
 * suite's optional subscription tests enabled. Fails if any test failed or was skipped, any test
 * file failed to load, or nothing passed.
 *
 * <p>Output: the {@code CONFORMANCE RESULT: passed=N failed=N skipped=N total=N duration=Ns} line
 * and the failed test names on stdout; in {@code target/it-logs/}: {@code ConformanceIT-1.log}
 * (server), {@code ConformanceIT-vitest.log}, {@code ConformanceIT-report.json},
 * {@code ConformanceIT-summary.txt}.
 */
class ConformanceIT {

  @Test
  @Timeout(value = 17, unit = TimeUnit.MINUTES)
  void sluicePassesThePinnedConformanceSuite() throws Exception {
    ConformanceRunner.prepare("ConformanceIT");
    ConformanceRunner.Run run;
    String nodeDied = null;
    try (NodeProcess node = NodeProcess.builder("ConformanceIT", ItEnv.freshDataDir("ConformanceIT"))
        .longPollTimeout(Duration.ofMillis(500))
        .start()) {
      System.out.println("conformance: server " + node);
      run = ConformanceRunner.run("ConformanceIT", node.baseUri().toString(), true);
      if (!node.isAlive()) {
        nodeDied = "the Sluice node died during the conformance run (" + node.status() + "); log "
            + node.logFile() + ", last lines:\n" + node.logTail();
        System.out.println("conformance: " + nodeDied);
      }
    }
    ConformanceRunner.Summary s = run.summary();
    String text = s.render();
    System.out.println(text);
    ConformanceRunner.writeSummary("ConformanceIT", text);

    if (nodeDied != null) {
      fail(nodeDied + "\n" + text);
    }
    assertEquals(0, s.failed(), "conformance failures:\n" + text);
    // The whole suite runs, the subscription tests included (checklist §15): nothing may be skipped.
    assertEquals(0, s.skipped(), "conformance tests skipped:\n" + text);
    assertTrue(s.passed() > 0, "no conformance test passed:\n" + text + "\nvitest log " + run.vitestLog());
    // With no failed test, a failed file means it did not load or crashed outside a test.
    assertEquals(0, s.failedSuites(), "a test file failed to load/run:\n" + text + "\nvitest log " + run.vitestLog());
  }
}
