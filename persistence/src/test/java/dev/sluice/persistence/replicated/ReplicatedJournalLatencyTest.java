package dev.sluice.persistence.replicated;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import dev.sluice.persistence.store.StreamKey;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A write completes once this node materialized it, so the owner's replica must hear the commit point
 * as soon as the writer knows it, not with the writer's next heartbeat or append. A persistent entity
 * writes one call at a time, so without that each lone write would wait for a heartbeat.
 */
class ReplicatedJournalLatencyTest {
  @Test
  void loneWritesAreAcknowledgedWithoutWaitingForTheWritersHeartbeat() throws Exception {
    // A heartbeat far longer than each write may take: only the immediate commit can complete them.
    try (ReplicatedNodes nodes = ReplicatedNodes.start(ConfigFactory.parseString("sluice.replication.writer.heartbeat = 60s"))) {
      ReplicatedJournalStore store = nodes.store(0);
      StreamKey s = StreamKey.of("lone-writes");
      assertEquals(0L, store.highestSequenceNr(s).toCompletableFuture().get(20, TimeUnit.SECONDS));
      for (long seq = 1; seq <= 20; seq++) {
        store.write(List.of(ReplicatedJournalFailoverTest.events(s, seq, seq, "lone")))
            .toCompletableFuture().get(5, TimeUnit.SECONDS);
      }
      assertEquals(20L, store.highestSequenceNr(s).toCompletableFuture().get(20, TimeUnit.SECONDS));
      store.close();
    }
  }
}
