package dev.sluice.replication.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.replication.Address;
import dev.sluice.replication.Entry;
import dev.sluice.replication.InMemoryReplicaLog;
import dev.sluice.replication.LogChange;
import dev.sluice.replication.Message;
import dev.sluice.replication.Payload;
import dev.sluice.replication.ReplicaState;
import dev.sluice.replication.node.StreamPipeline.Outgoing;
import dev.sluice.replication.node.StreamPipeline.PersistCall;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The per-stream ordering rules, without actors: replies wait for persists, persists fold, landings are exact. */
class StreamPipelineTest {
  private static final String S = "s";
  private static final Address W = Address.writer(0);
  private static final long E = 65536; // epoch 1 of node 0

  /** A live store log, like RocksDB's: a landed change is visible before the pipeline hears of it. */
  private final InMemoryReplicaLog storeLog = new InMemoryReplicaLog();

  private StreamPipeline fresh() {
    return new StreamPipeline(S, ReplicaState.empty(S, 1, "disk"), storeLog);
  }

  private static Message.Append append(long prev, long prevEpoch, long lac, String... values) {
    List<Entry> entries = new ArrayList<>();
    for (int i = 0; i < values.length; i++) entries.add(new Entry(prev + 1 + i, E, Payload.utf8(values[i]), null));
    return new Message.Append(S, E, prev, prevEpoch, entries, lac, 0);
  }

  @Test
  void repliesWaitForEveryEarlierPersistOfTheStreamAndQueuedStepsFoldIntoOneCall() {
    StreamPipeline p = fresh();
    assertTrue(p.step(W, null, new Message.Fence(S, E)).isEmpty(), "the promise waits for its persist");
    PersistCall fence = p.nextPersist();
    assertNotNull(fence);
    assertNull(p.nextPersist(), "one call at a time");

    // Steps keep running against the overlay while the fence persists; their acks queue behind it.
    assertTrue(p.step(W, null, append(0, 0, 0, "a")).isEmpty());
    assertTrue(p.step(W, null, append(1, E, 0, "b")).isEmpty());
    assertTrue(p.step(W, null, new Message.Probe(S, E, 1)).isEmpty(), "even a reply with no persist of its own waits");

    land(fence);
    List<Outgoing> afterFence = p.landed();
    assertEquals(1, afterFence.size());
    assertInstanceOf(Message.Promise.class, afterFence.get(0).message());

    PersistCall folded = p.nextPersist();
    assertEquals(LogChange.append(List.of(
        new Entry(1, E, Payload.utf8("a"), null), new Entry(2, E, Payload.utf8("b"), null))), folded.change(), "two appends, one batch");
    assertEquals(2, folded.meta().tailSeq());
    land(folded);
    // Landed in the store but not yet reported: a step in this window must see the log once, not twice.
    List<Outgoing> early = p.step(W, null, append(2, E, 2, "c"));
    assertTrue(early.isEmpty());
    List<Outgoing> released = p.landed();
    assertEquals(List.of(Message.Ack.class, Message.Ack.class, Message.ProbeOk.class),
        released.stream().map(o -> o.message().getClass()).toList());

    PersistCall third = p.nextPersist();
    assertEquals(new dev.sluice.replication.Effect.Committed(0, 2), third.materialize(), "the lac move rides with its persist");
    land(third);
    assertEquals(1, p.landed().size());
    assertTrue(p.idle());
    assertEquals(3, storeLog.tailSeq());
  }

  @Test
  void foldingChangesEqualsApplyingThemInOrder() {
    Random rnd = new Random(3);
    for (int round = 0; round < 2_000; round++) {
      InMemoryReplicaLog log = new InMemoryReplicaLog();
      int start = rnd.nextInt(6);
      for (int i = 1; i <= start; i++) log.apply(LogChange.append(List.of(new Entry(i, 1, Payload.utf8("d" + i), null))));
      long tailBefore = log.tailSeq();
      InMemoryReplicaLog expected = log.copy();
      List<LogChange> changes = new ArrayList<>();
      for (int step = 0; step < 1 + rnd.nextInt(5); step++) {
        long tail = expected.tailSeq();
        LogChange c;
        if (rnd.nextInt(3) == 0 && tail > 0) {
          long t = rnd.nextInt((int) tail);
          c = LogChange.replace(t, entries(t + 1, rnd.nextInt(3), step));
        } else if (rnd.nextInt(5) == 0) {
          c = LogChange.NONE;
        } else {
          c = LogChange.append(entries(tail + 1, 1 + rnd.nextInt(3), step));
        }
        expected.apply(c);
        changes.add(c);
      }
      log.apply(LogChanges.fold(tailBefore, changes));
      assertEquals(expected.all(), log.all(), "round " + round + ": " + changes);
    }
  }

  private static List<Entry> entries(long from, int n, int tag) {
    List<Entry> out = new ArrayList<>();
    for (int i = 0; i < n; i++) out.add(new Entry(from + i, 2 + tag, Payload.utf8("c" + tag + "-" + (from + i)), null));
    return out;
  }

  private void land(PersistCall call) {
    storeLog.apply(call.change());
  }
}
