package dev.sluice.persistence.replicated;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.spi.DataUnit;
import dev.sluice.persistence.rocksdb.RocksDbStorage;
import dev.sluice.persistence.support.JournalClient;
import dev.sluice.persistence.support.TestEvents.Appended;
import dev.sluice.persistence.support.TestEvents.Noted;
import dev.sluice.persistence.support.TestEvents.Purged;
import dev.sluice.persistence.support.TestEvents.Unserializable;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.junit.jupiter.api.Test;

/**
 * The replicated journal plugin as a persistent actor uses it (Pekko's journal protocol, the plugin's
 * own serialization and data indexing): its writes are entries on an ack quorum of replicas, every
 * node materializes them into its {@code log} and {@code data}, and when the owner's node is gone
 * another node's plugin recovers the same events, serves the same bytes and continues the stream.
 */
class ReplicatedJournalPluginTest {
  private static final String PLUGIN = "sluice.persistence.replicated-journal";

  @Test
  void eventsWrittenThroughThePluginAreReplicatedAndRecoveredByAnotherNodesPlugin() {
    try (ReplicatedNodes nodes = ReplicatedNodes.start()) {
      String pid = "plugin-stream";
      JournalClient owner = new JournalClient(classic(nodes, 0), PLUGIN);
      assertEquals(0, owner.replay(pid).highestSequenceNr(), "recovery opens the stream");
      owner.persist(pid, 1, Appended.utf8(7, 0, "hello "), Appended.utf8(7, 6, "world"), new Noted("checkpoint"));
      List<JournalClient.Outcome> mixed = owner.write(pid, 4, List.of(List.of(new Unserializable("x")), List.of(new Purged(7))));
      assertInstanceOf(JournalClient.Rejected.class, mixed.get(0), "an unserializable event is rejected, as by the local plugin");
      assertInstanceOf(JournalClient.Stored.class, mixed.get(1));
      owner.persist(pid, 6, Appended.utf8(8, 0, "again"));
      assertEquals(List.of("again"), data(nodes, 0, 8), "acknowledged = readable on the owner's node");

      int replicas = 0;
      for (int i = 0; i < 3; i++) {
        replicas += Replication.get(nodes.system(i)).replicaStore().meta(pid) != null ? 1 : 0;
      }
      assertTrue(replicas >= 2, "the writes are entries on an ack quorum, found on " + replicas);

      nodes.terminate(0);
      JournalClient next = new JournalClient(classic(nodes, 1), PLUGIN);
      JournalClient.Replay replay = next.replay(pid);
      assertEquals(List.of(Appended.utf8(7, 0, "hello "), Appended.utf8(7, 6, "world"), new Noted("checkpoint"),
          new Purged(7), Appended.utf8(8, 0, "again")), replay.payloads());
      assertEquals(List.of(1L, 2L, 3L, 5L, 6L), replay.seqNrs(), "4 was rejected; a rejected write leaves a gap, as locally");
      assertEquals(6, replay.highestSequenceNr());
      assertEquals(List.of(), data(nodes, 1, 7), "the purge was materialized too");
      assertEquals(List.of("again"), data(nodes, 1, 8));

      next.persist(pid, 7, new Noted("on node 1"));
      next.deleteTo(pid, 3);
      JournalClient.Replay after = next.replay(pid);
      assertEquals(List.of(5L, 6L, 7L), after.seqNrs());
      assertEquals(7, after.highestSequenceNr());
    }
  }

  /**
   * While two of three nodes are down every recovery fails and Pekko's journal circuit breaker
   * opens; with its default reset-timeout (30 s) a node went on failing every stream for up to 30 s
   * after a quorum was back (measured by ReplicatedTwoNodesLostIT in multi-jvm-tests). The plugin
   * tries again after a second.
   */
  @Test
  void theCircuitBreakerTriesAgainWithinASecondOfAFailure() {
    Config all = ConfigFactory.load();
    Config plugin = all.getConfig(PLUGIN).withFallback(all.getConfig("pekko.persistence.journal-plugin-fallback"));
    assertEquals(Duration.ofSeconds(1), plugin.getDuration("circuit-breaker.reset-timeout"));
  }

  private static ActorSystem classic(ReplicatedNodes nodes, int i) {
    return Adapter.toClassic(nodes.system(i));
  }

  private static List<String> data(ReplicatedNodes nodes, int node, long storeId) {
    return RocksDbStorage.get(nodes.system(node)).dataStore().read(storeId, 0, Long.MAX_VALUE, Integer.MAX_VALUE)
        .stream().map(DataUnit::data).map(b -> b.utf8String()).toList();
  }
}
