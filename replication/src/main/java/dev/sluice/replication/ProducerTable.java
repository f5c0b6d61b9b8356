package dev.sluice.replication;

import dev.sluice.replication.Message.Reason;
import java.util.HashMap;
import java.util.Map;

/**
 * Idempotent-producer dedupe state (Durable Streams protocol, idempotent producers): per producer id,
 * the current epoch, the highest accepted seq and the offset it landed at. Rebuilt from the log on every
 * recovery, so it is exactly as durable as the entries that carry the stamps.
 *
 * <p>Not thread-safe; confined to the owning {@link Writer}.
 */
final class ProducerTable {
  private record State(long epoch, long lastSeq, long lastOffset) {}

  /**
   * Outcome of checking a claim. For a duplicate, {@code lastOffset} is where the producer's latest seq
   * landed and {@code exact} says whether the claim is that seq (else it is an older one).
   */
  record Check(Verdict verdict, Reason reason, long lastOffset, boolean exact) {}

  enum Verdict { ACCEPT, DUPLICATE, REJECT }

  private final Map<String, State> producers = new HashMap<>();

  static ProducerTable rebuild(Iterable<Entry> log) {
    ProducerTable t = new ProducerTable();
    for (Entry e : log) t.record(e);
    return t;
  }

  /** The protocol's validation table: epoch fencing, seq 0 on a new epoch, dedupe, no gaps. */
  Check check(ProducerStamp p) {
    State s = producers.get(p.id());
    if (s == null) return p.seq() == 0 ? accept() : reject(Reason.PRODUCER_SEQ_GAP);
    if (p.epoch() < s.epoch()) return reject(Reason.PRODUCER_EPOCH_STALE);
    if (p.epoch() > s.epoch()) return p.seq() == 0 ? accept() : reject(Reason.PRODUCER_EPOCH_SEQ_NOT_ZERO);
    if (p.seq() <= s.lastSeq()) return new Check(Verdict.DUPLICATE, null, s.lastOffset(), p.seq() == s.lastSeq());
    if (p.seq() == s.lastSeq() + 1) return accept();
    return reject(Reason.PRODUCER_SEQ_GAP);
  }

  void record(Entry e) {
    ProducerStamp p = e.producer();
    if (p != null) producers.put(p.id(), new State(p.epoch(), p.seq(), e.seq()));
  }

  private static Check accept() {
    return new Check(Verdict.ACCEPT, null, -1, false);
  }

  private static Check reject(Reason r) {
    return new Check(Verdict.REJECT, r, -1, false);
  }
}
