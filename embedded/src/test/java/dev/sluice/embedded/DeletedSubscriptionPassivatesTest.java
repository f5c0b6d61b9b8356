package dev.sluice.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sluice.subscriptions.entity.SubscriptionEntity;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A deleted subscription leaves memory (issue 10): subscription entities are never passivated for
 * idleness, so before this fix every subscription ever deleted stayed live until a restart.
 */
class DeletedSubscriptionPassivatesTest {
  private static final int COUNT = 20;

  private static <T> T await(CompletionStage<T> f) throws Exception {
    return f.toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  private static int liveEntities(SluiceEmbedded sluice) throws Exception {
    var system = sluice.system();
    ShardRegion.CurrentShardRegionState state = await(AskPattern.ask(ClusterSharding.get(system).shardState(),
        replyTo -> new GetShardRegionState(SubscriptionEntity.TYPE_KEY, replyTo), Duration.ofSeconds(10), system.scheduler()));
    return state.getShards().stream().mapToInt(s -> s.getEntityIds().size()).sum();
  }

  @Test
  void aDeletedSubscriptionsEntityStopsAndTheIdCanBeUsedAgain(@TempDir Path dir) throws Exception {
    try (SluiceEmbedded sluice = SluiceEmbedded.start("deleted-subscription-passivates-test", dir.resolve("data"))) {
      var subs = sluice.subscriptions();
      for (int i = 0; i < COUNT; i++) await(subs.subscribe("gone-" + i, "jobs-" + i + "/*", List.of()));
      await(subs.subscribe("kept", "kept/*", List.of()));
      assertEquals(COUNT + 1, liveEntities(sluice));

      List<CompletableFuture<?>> deletes = new ArrayList<>();
      for (int i = 0; i < COUNT; i++) deletes.add(subs.unsubscribe("gone-" + i).toCompletableFuture());
      await(CompletableFuture.allOf(deletes.toArray(CompletableFuture[]::new)));
      // Passivation completes after the replies: poll the shard state, bounded, no fixed sleep.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      int live = liveEntities(sluice);
      while (live > 1 && System.nanoTime() < deadline) {
        await(CompletableFuture.runAsync(() -> {}, CompletableFuture.delayedExecutor(50, TimeUnit.MILLISECONDS)));
        live = liveEntities(sluice);
      }
      assertEquals(1, live, "only the subscription that still exists stays in memory");

      await(subs.subscribe("gone-0", "jobs-0/*", List.of()));
      assertEquals(2, liveEntities(sluice), "a deleted id can be subscribed again");
    }
  }
}
