package dev.sluice.embedded;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.subscriptions.RecoveryStats;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a node remembers of its subscription entities' recoveries stays bounded (issue 10): every
 * subscription ever created or woken on the node recovers once, and a node that sees many come and
 * go must not keep a record of each. The most recent ones stay readable by id; deleted ones go.
 */
class SubscriptionRecoveryRecordsTest {
  /** More than a node keeps by id. */
  private static final int CREATED = RecoveryStats.RECENT + 50;

  private static <T> T await(CompletionStage<T> f) throws Exception {
    return f.toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  @Test
  void recoveryRecordsAreBoundedAndDeletedSubscriptionsForgotten(@TempDir Path dir) throws Exception {
    try (SluiceEmbedded sluice = SluiceEmbedded.start("subs-recovery-records-test", dir.resolve("data"))) {
      var subs = sluice.subscriptions();
      // Sequentially: each PUT completes after its entity recovered, so the order of the records is the order here.
      for (int i = 0; i < CREATED; i++) await(subs.subscribe("s" + i, "jobs-" + i + "/*", List.of()));
      assertNotNull(subs.lastRecovery("s" + (CREATED - 1)), "the newest recovery is readable");
      assertNull(subs.lastRecovery("s0"), "the oldest of " + CREATED + " recoveries is no longer kept");
      var stats = subs.recoveryStats();
      assertTrue(stats.kept() <= RecoveryStats.RECENT, "kept " + stats.kept());
      assertTrue(stats.recoveries() >= CREATED, "the totals count every one: " + stats.recoveries());

      List<CompletableFuture<?>> deletes = new ArrayList<>();
      for (int i = CREATED - 10; i < CREATED; i++) deletes.add(subs.unsubscribe("s" + i).toCompletableFuture());
      await(CompletableFuture.allOf(deletes.toArray(CompletableFuture[]::new)));
      assertNull(subs.lastRecovery("s" + (CREATED - 1)), "a deleted subscription's record is dropped");
      assertNotNull(subs.lastRecovery("s" + (CREATED - 11)), "the others stay");
    }
  }
}
