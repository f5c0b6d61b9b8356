package dev.sluice.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The overlay a driver shows {@link Replica#handle} equals the log with every change applied. */
class PendingReplicaTest {

  private static List<Entry> entries(long from, int n, long epoch, String tag) {
    List<Entry> out = new ArrayList<>();
    for (int i = 0; i < n; i++) out.add(new Entry(from + i, epoch, Payload.utf8(tag + (from + i)), null));
    return out;
  }

  @Test
  void theOverlayMatchesApplyingEveryChangeAndShrinksAsChangesLand() {
    Random rnd = new Random(7);
    for (int round = 0; round < 200; round++) {
      InMemoryReplicaLog durable = new InMemoryReplicaLog();
      durable.apply(LogChange.append(entries(1, rnd.nextInt(6), 1, "d")));
      InMemoryReplicaLog expected = durable.copy();
      ReplicaState meta = ReplicaState.empty("s", 0, "disk");
      PendingReplica pending = new PendingReplica(meta, durable);
      List<LogChange> changes = new ArrayList<>();
      for (int step = 0; step < 5; step++) {
        long tail = expected.tailSeq();
        LogChange c = rnd.nextBoolean() || tail == 0
            ? LogChange.append(entries(tail + 1, 1 + rnd.nextInt(3), step + 2, "a"))
            : LogChange.replace(rnd.nextInt((int) tail + 1), List.of());
        if (c.truncates()) c = LogChange.replace(c.truncateAfter(), entries(c.truncateAfter() + 1, rnd.nextInt(3), step + 2, "r"));
        expected.apply(c);
        pending.stepped(meta, c);
        changes.add(c);
        assertSameLog(expected, pending.log());
      }
      // Changes land in order; the overlay keeps showing the same log throughout.
      for (LogChange c : changes) {
        durable.apply(c);
        pending.persisted();
        assertSameLog(expected, pending.log());
      }
      assertFalse(pending.hasInFlight());
    }
  }

  /**
   * A store's durable view shows a change as soon as its batch is durable, before the driver (an actor
   * that may handle other messages first) calls {@link PendingReplica#persisted()}. The overlay must not
   * count that change twice in between.
   */
  @Test
  void theOverlayIsRightWhileTheDurableViewAlreadyHoldsAChangeNotYetReportedPersisted() {
    Random rnd = new Random(11);
    for (int round = 0; round < 200; round++) {
      InMemoryReplicaLog durable = new InMemoryReplicaLog();
      durable.apply(LogChange.append(entries(1, rnd.nextInt(6), 1, "d")));
      InMemoryReplicaLog expected = durable.copy();
      ReplicaState meta = ReplicaState.empty("s", 0, "disk");
      PendingReplica pending = new PendingReplica(meta, durable);
      List<LogChange> changes = new ArrayList<>();
      for (int step = 0; step < 5; step++) {
        long tail = expected.tailSeq();
        LogChange c = rnd.nextBoolean() || tail == 0
            ? LogChange.append(entries(tail + 1, 1 + rnd.nextInt(3), step + 2, "a"))
            : LogChange.replace(rnd.nextInt((int) tail + 1), List.of());
        if (c.truncates()) c = LogChange.replace(c.truncateAfter(), entries(c.truncateAfter() + 1, rnd.nextInt(3), step + 2, "r"));
        expected.apply(c);
        pending.stepped(meta, c);
        changes.add(c);
      }
      for (LogChange c : changes) {
        durable.apply(c); // the batch landed ...
        assertSameLog(expected, pending.log());
        pending.persisted(); // ... and later the driver hears of it
        assertSameLog(expected, pending.log());
      }
      assertFalse(pending.hasInFlight());
    }
  }

  private static void assertSameLog(InMemoryReplicaLog expected, ReplicaLog actual) {
    assertEquals(expected.tailSeq(), actual.tailSeq());
    for (long seq = 0; seq <= expected.tailSeq(); seq++) assertEquals(expected.epochAt(seq), actual.epochAt(seq), "epoch at " + seq);
    for (long from = 0; from <= expected.tailSeq(); from++) {
      assertEquals(expected.entries(from, 100, Long.MAX_VALUE), actual.entries(from, 100, Long.MAX_VALUE), "entries from " + from);
      assertEquals(expected.entries(from, 2, Long.MAX_VALUE), actual.entries(from, 2, Long.MAX_VALUE), "a page from " + from);
    }
    assertTrue(actual.entries(expected.tailSeq(), 5, 100).isEmpty());
  }
}
