package dev.sluice.it.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.it.support.ClusterOfThree;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The official conformance suite through EACH node of a replicated 3-node cluster (three processes
 * started with the documented {@code --cluster-nodes}/{@code --node-ordinal} flags and
 * {@code --long-poll-timeout 500ms}). Streams are spread over the three owners by sharding, so every
 * run goes through nodes that own some of its streams and not others: writes forwarded to owners,
 * reads served from the local replica, live reads woken across nodes, subscriptions woken by streams
 * whichever node owns them. The suite must pass exactly as on a single node (docs/replication-wiring.md
 * "Reads through any node"): through node 1 the whole suite, its 6 subscription tests included,
 * nothing skipped; through nodes 0 and 2 the suite without them (332 passed, 6 skipped), which keeps
 * the run within the verify budget while still checking every node.
 *
 * <p>One retry, and only for time: the suite gives each test 5 s, and its property test "offsets are
 * always monotonically increasing" (25 random operation sequences) took 2.2-4.8 s through these C1-only
 * nodes in CI and once 5.0 s, a timeout and not a wrong offset (per-append latency through the cluster
 * is the replication issue's open work, docs/replication-wiring.md "Open"). When every failure of a run
 * is a vitest timeout ("Test timed out in"), exactly those tests run once more through the same node and
 * must pass; both results are printed. Any other failure, or a timeout again, fails the test.
 *
 * <p>Output: one {@code CONFORMANCE RESULT: ... (cluster node i)} line per node; logs in
 * {@code target/it-logs/ClusterConformanceIT-node{i}-*}. Run alone:
 * {@code ./mvnw -B -pl multi-jvm-tests -am verify -Dit.test=ClusterConformanceIT -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class ClusterConformanceIT {

  /** How many tests of a vitest run failed by exceeding their time budget. */
  private static long timeouts(Path vitestLog) throws java.io.IOException {
    return Files.readAllLines(vitestLog).stream().filter(l -> l.contains("Test timed out in")).count();
  }

  @Test
  @Timeout(value = 40, unit = TimeUnit.MINUTES)
  void theSuitePassesThroughEveryNodeOfAReplicatedCluster() throws Exception {
    ConformanceRunner.prepare("ClusterConformanceIT");
    List<String> failures = new ArrayList<>();
    try (var cluster = new ClusterOfThree("ClusterConformanceIT", "--long-poll-timeout", "500ms")) {
      cluster.startAll();
      cluster.awaitUp(3, Duration.ofMinutes(2));
      for (int i = 0; i < 3; i++) {
        String label = "ClusterConformanceIT-node" + i;
        // The subscription tests through one node (README "Subscriptions"): subscriptions are cluster-wide.
        boolean subscriptions = i == 1;
        ConformanceRunner.Run run = ConformanceRunner.run(label, cluster.node(i).baseUri().toString(), subscriptions);
        ConformanceRunner.Summary s = run.summary();
        String text = s.render() + " (cluster node " + i + ")";
        if (s.failed() > 0 && s.onlyTestsFailed() && s.failed() == timeouts(run.vitestLog())) {
          // vitest -t is a JavaScript RegExp over "<describe blocks> <title>": escape, anchor at the end.
          String only = s.failedTitles().stream().map(t -> t.replaceAll("[.*+?^${}()|\\[\\]\\\\/]", "\\\\$0") + "$")
              .collect(Collectors.joining("|"));
          System.out.println(text + "\nClusterConformanceIT: every failure through node " + i + " was a timeout; running "
              + s.failedTitles() + " once more");
          ConformanceRunner.Summary again = ConformanceRunner.run(label + "-rerun", cluster.node(i).baseUri().toString(),
              subscriptions, only).summary();
          text = text + "\n  rerun of the timed-out tests: " + again.render().replace("\n", "\n  ");
          if (again.failed() == 0 && again.failedSuites() == 0 && again.passed() == s.failed()) {
            s = new ConformanceRunner.Summary(s.passed() + s.failed(), 0, s.skipped(), s.total(), 0, s.took(), List.of(), List.of());
          }
        }
        System.out.println(text);
        ConformanceRunner.writeSummary(label, text);
        boolean skippedOk = subscriptions ? s.skipped() == 0 : s.skipped() == 6;
        if (s.failed() != 0 || !skippedOk || s.failedSuites() != 0 || s.passed() == 0) failures.add(text);
        for (int n = 0; n < 3; n++) {
          assertTrue(cluster.node(n).isAlive(), "node " + n + " died during the run through node " + i + ": "
              + cluster.node(n).logFile() + "\n" + cluster.node(n).logTail());
        }
      }
    }
    assertEquals(List.of(), failures, "conformance through the cluster's nodes:\n" + String.join("\n", failures));
  }
}
