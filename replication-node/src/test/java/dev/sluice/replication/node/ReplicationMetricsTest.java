package dev.sluice.replication.node;

import static dev.sluice.replication.node.ThreeNodes.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.replication.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The read-only state a node exposes for metrics and the admin endpoint, on three real Artery nodes:
 * the owner's writer state (epoch, tail, commit point, entries acknowledged per replica), lag per
 * replica once one is gone, and the counters of opens, fence rounds, recoveries and closes.
 */
class ReplicationMetricsTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @Test
  void theOwnersStateLagAndCountersFollowAppendsAFailedReplicaAndAFence() throws Exception {
    try (ThreeNodes cluster = ThreeNodes.start()) {
      String stream = "metrics-a";
      ReplicationMetrics m0 = cluster.node(0).metrics();
      WriterDriver writer = cluster.node(0).openWriter(stream, "test");
      WriterDriver.OpenResult opened = get(writer.opened());
      assertEquals(1, m0.writerOpens());
      assertEquals(1, m0.recoveries());
      assertTrue(m0.fenceRounds() >= 1);
      assertEquals(1, m0.activeWriters());

      for (int i = 0; i < 20; i++) get(writer.append(utf8("v" + i)));
      await("every replica acknowledged 20 entries to the writer", WAIT, () -> {
        WriterDriver.State s = m0.writer(stream).orElseThrow();
        return s.acked(0) == 20 && s.acked(1) == 20 && s.acked(2) == 20;
      });
      WriterDriver.State s = m0.writer(stream).orElseThrow();
      assertEquals(Writer.Phase.SERVING, s.phase());
      assertEquals(opened.epoch(), s.epoch());
      assertEquals(20, s.tailSeq());
      assertEquals(20, s.lac());
      assertArrayEquals(new long[] {0, 0, 0}, m0.lagEntries());

      // Replica 2 goes away: every later entry is lag for it, and only for it.
      cluster.terminate(2);
      for (int i = 0; i < 5; i++) get(writer.append(utf8("w" + i)));
      await("replica 1 acknowledged entry 25", WAIT, () -> m0.writer(stream).orElseThrow().acked(1) == 25);
      long[] lag = m0.lagEntries();
      assertEquals(0, lag[0]);
      assertEquals(0, lag[1]);
      assertEquals(5, lag[2], "entries 21..25 were never acknowledged by replica 2");

      // A writer on node 1 fences node 0's; node 0's learns it at its next append and closes: node 0
      // counts a close for FENCED, node 1 a recovery.
      WriterDriver other = cluster.node(1).openWriter(stream, "test takeover");
      get(other.opened());
      CompletionStage<Long> late = writer.append(utf8("from the deposed owner"));
      assertEquals(Writer.CloseReason.FENCED, get(writer.closed()));
      assertTrue(late.toCompletableFuture().isCompletedExceptionally());
      assertEquals(1, m0.closes(Writer.CloseReason.FENCED));
      ReplicationMetrics m1 = cluster.node(1).metrics();
      assertEquals(1, m1.recoveries());
      assertEquals(25, m1.writer(stream).orElseThrow().tailSeq());

      // The new writer never heard from replica 2 (down): its lag counts what was appended since the
      // open (3 entries), not the whole log (28).
      for (int i = 0; i < 3; i++) get(other.append(utf8("x" + i)));
      await("replica 0 acknowledged entry 28 to the new writer", WAIT, () -> m1.writer(stream).orElseThrow().acked(0) == 28);
      assertEquals(0, m1.writer(stream).orElseThrow().acked(2), "nothing heard from replica 2");
      assertEquals(3, m1.lagEntries()[2]);

      // Stopped writers leave the registry.
      writer.stop();
      await("node 0 has no live writer", WAIT, () -> m0.activeWriters() == 0);
      assertTrue(m0.writer(stream).isEmpty());
      other.stop();
    }
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static <T> T get(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }
}
