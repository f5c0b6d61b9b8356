package dev.sluice.replication.sim;

import dev.sluice.replication.Entry;
import dev.sluice.replication.Message.Reason;
import dev.sluice.replication.ProducerStamp;
import dev.sluice.replication.sim.History.AppendOp;
import dev.sluice.replication.sim.History.Outcome;
import dev.sluice.replication.sim.History.ReadOp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Judges a {@link History} against the journal's promises (after jepsen.tests.kafka's analyses):
 *
 * <ol>
 *   <li>Offsets agree: every read and every ack maps an offset to one value (no forked log).
 *   <li>Reads are contiguous from where they asked, and only return appended values (no phantoms,
 *       nothing from a definitely failed append).
 *   <li>No lost acked writes: every ok/duplicate append is in the final log at its offset, once.
 *   <li>No duplicates: a value, and a producer (id, epoch, seq), is stored at most once.
 *   <li>Offsets never go backwards: a client's later acked append lands above its earlier ones.
 *   <li>Producer state is never lost: no rejection of seq n+1 right after seq n was acked.
 * </ol>
 *
 * The final log is the longest read from the heal-and-settle phase; the simulator guarantees an owner
 * committed everything it recovered before those reads.
 */
public final class HistoryChecker {
  private static final int MAX_REPORTED = 12;

  private final List<String> violations = new ArrayList<>();

  public static List<String> check(History h) {
    HistoryChecker c = new HistoryChecker();
    c.run(h);
    return c.violations;
  }

  private void violation(String s) {
    if (violations.size() < MAX_REPORTED) violations.add(s);
  }

  private void run(History h) {
    Map<String, List<AppendOp>> byValue = new HashMap<>();
    for (AppendOp op : h.appends()) byValue.computeIfAbsent(op.value, k -> new ArrayList<>()).add(op);

    Map<Long, String> valueAt = new HashMap<>();
    Map<Long, String> witness = new HashMap<>();
    for (AppendOp op : h.appends()) {
      if ((op.outcome == Outcome.OK || op.outcome == Outcome.DUPLICATE) && op.offset > 0) {
        agree(valueAt, witness, op.offset, op.value, op.toString());
      }
    }
    ReadOp finalRead = null;
    for (ReadOp r : h.reads()) {
      checkRead(r, byValue, valueAt, witness);
      if (r.isFinal() && (finalRead == null || r.entries().size() > finalRead.entries().size())) finalRead = r;
    }
    if (finalRead == null) {
      violation("no final read succeeded: the healed cluster did not serve committed reads");
      return;
    }
    checkFinalLog(h, finalRead);
    checkClientOrder(h);
    checkProducerContinuity(h);
  }

  private void agree(Map<Long, String> valueAt, Map<Long, String> witness, long offset, String value, String who) {
    String prev = valueAt.putIfAbsent(offset, value);
    if (prev == null) {
      witness.put(offset, who);
    } else if (!prev.equals(value)) {
      violation("forked log at offset " + offset + ": " + prev + " (" + witness.get(offset) + ") vs " + value + " (" + who + ")");
    }
  }

  private void checkRead(ReadOp r, Map<String, List<AppendOp>> byValue, Map<Long, String> valueAt, Map<Long, String> witness) {
    long expect = r.fromSeq() + 1;
    for (Entry e : r.entries()) {
      if (e.seq() != expect) {
        violation(r + " is not contiguous: expected offset " + expect + ", got " + e.seq());
        return;
      }
      expect++;
      String v = e.payload().utf8();
      List<AppendOp> ops = byValue.get(v);
      if (ops == null) {
        violation(r + " returned " + v + " at " + e.seq() + ", which nobody appended");
      } else if (ops.stream().allMatch(op -> op.outcome == Outcome.FAIL)) {
        violation(r + " returned " + v + " at " + e.seq() + ", whose append definitely failed: " + ops.get(0));
      }
      agree(valueAt, witness, e.seq(), v, r.toString());
    }
  }

  private void checkFinalLog(History h, ReadOp finalRead) {
    List<Entry> log = finalRead.entries();
    if (finalRead.fromSeq() != 0) throw new IllegalStateException("final reads start at 0");
    Map<String, Long> offsetOf = new HashMap<>();
    Set<ProducerStamp> stamps = new HashSet<>();
    for (Entry e : log) {
      Long before = offsetOf.putIfAbsent(e.payload().utf8(), e.seq());
      if (before != null) violation("value " + e.payload().utf8() + " stored twice, at " + before + " and " + e.seq());
      if (e.producer() != null && !stamps.add(e.producer())) {
        violation("producer claim " + e.producer() + " stored twice (second at " + e.seq() + ")");
      }
    }
    for (AppendOp op : h.appends()) {
      if (op.outcome != Outcome.OK && op.outcome != Outcome.DUPLICATE) continue;
      Long at = offsetOf.get(op.value);
      if (at == null) {
        violation("lost acknowledged write " + op + ": not in the final log of " + log.size() + " entries (" + finalRead + ")");
      } else if (op.offset > 0 && at != op.offset) {
        violation("acknowledged write " + op + " is at offset " + at + " in the final log");
      }
    }
  }

  /** A client's appends are sequential, so each acked offset must exceed every earlier acked one. */
  private void checkClientOrder(History h) {
    Map<Integer, AppendOp> lastAcked = new HashMap<>();
    for (AppendOp op : h.appends()) {
      if (op.outcome != Outcome.OK || op.offset <= 0) continue;
      AppendOp prev = lastAcked.put(op.client, op);
      if (prev != null && prev.completedAt <= op.invokedAt && op.offset <= prev.offset) {
        violation("offset went backwards for client " + op.client + ": " + prev + " then " + op);
      }
    }
  }

  /** A producer only sends seq n+1 after n was acked, so rejecting n+1 (a gap) means the owner forgot n. */
  private void checkProducerContinuity(History h) {
    Map<String, AppendOp> lastAcked = new HashMap<>();
    for (AppendOp op : h.appends()) {
      if (op.producer == null) continue;
      String id = op.producer.id();
      AppendOp prev = lastAcked.get(id);
      boolean continues = prev != null && prev.producer.epoch() == op.producer.epoch() && prev.producer.seq() == op.producer.seq() - 1;
      if (op.outcome == Outcome.FAIL && op.reason != Reason.NOT_OWNER && continues) {
        violation("producer state lost: " + op + " rejected although " + prev + " was acknowledged");
      }
      if (op.outcome == Outcome.OK || op.outcome == Outcome.DUPLICATE) lastAcked.put(id, op);
    }
  }
}
