package dev.sluice.it.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.it.support.ClusterOfThree;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The official conformance suite through EACH node of a replicated 3-node cluster (three processes
 * started with the documented {@code --cluster-nodes}/{@code --node-ordinal} flags and
 * {@code --long-poll-timeout 500ms}). Streams are spread over the three owners by sharding, so every
 * run goes through nodes that own some of its streams and not others: writes forwarded to owners,
 * reads served from the local replica, live reads woken across nodes, subscriptions woken by streams
 * whichever node owns them. The whole suite, its subscription tests included, must pass exactly as
 * on a single node, nothing skipped (docs/replication-wiring.md "Reads through any node").
 *
 * <p>Output: one {@code CONFORMANCE RESULT: ... (cluster node i)} line per node; logs in
 * {@code target/it-logs/ClusterConformanceIT-node{i}-*}. Run alone:
 * {@code ./mvnw -B -pl multi-jvm-tests -am verify -Dit.test=ClusterConformanceIT -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class ClusterConformanceIT {

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
        // The subscription tests too (checklist §15): subscriptions are cluster-wide (README "Subscriptions").
        ConformanceRunner.Summary s = ConformanceRunner.run(label, cluster.node(i).baseUri().toString(), true).summary();
        String text = s.render() + " (cluster node " + i + ")";
        System.out.println(text);
        ConformanceRunner.writeSummary(label, text);
        if (s.failed() != 0 || s.skipped() != 0 || s.failedSuites() != 0 || s.passed() == 0) failures.add(text);
        for (int n = 0; n < 3; n++) {
          assertTrue(cluster.node(n).isAlive(), "node " + n + " died during the run through node " + i + ": "
              + cluster.node(n).logFile() + "\n" + cluster.node(n).logTail());
        }
      }
    }
    assertEquals(List.of(), failures, "conformance through the cluster's nodes:\n" + String.join("\n", failures));
  }
}
