package dev.sluice.it.process;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.it.support.ItEnv;
import dev.sluice.it.support.NodeProcess;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * As a new user would try it: a second node started with {@code --seed-nodes} pointing at a first
 * must not join it (streams are not replicated yet, and the second node would serve empty reads of
 * streams written on the first). The process exits with a configuration error that says why.
 */
class SeedNodesRefusedIT {

  @Test
  @Timeout(value = 2, unit = TimeUnit.MINUTES)
  void aNodeToldToJoinAnotherExitsWithAClearError() {
    int firstArtery = NodeProcess.freePort();
    try (NodeProcess first = NodeProcess.builder("SeedNodesRefusedIT", ItEnv.freshDataDir("SeedNodesRefusedIT"))
        .args("--cluster-port", Integer.toString(firstArtery)).start()) {
      IllegalStateException e = assertThrows(IllegalStateException.class, () ->
          NodeProcess.builder("SeedNodesRefusedIT", ItEnv.freshDataDir("SeedNodesRefusedIT"))
              .args("--cluster-port", Integer.toString(NodeProcess.freePort()),
                  "--seed-nodes", "127.0.0.1:" + firstArtery)
              .readyTimeout(Duration.ofSeconds(60))
              .start());
      assertTrue(e.getMessage().contains("exit code 2"), e.getMessage());
      assertTrue(e.getMessage().contains("multi-node clusters are not supported"), e.getMessage());
      assertTrue(first.isAlive(), "the first node is unaffected");
    }
  }
}
