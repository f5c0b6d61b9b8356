package dev.sluice.replication;

import java.util.ArrayList;
import java.util.List;

/**
 * The writer's in-memory part of its log: entries with seq in {@code (base, tail]}, plus the epoch of
 * entry {@code base} (for the {@code prevEpoch} of an append that starts there). Older entries are
 * trimmed once they are committed and every replica has them, or once the committed part outgrows the
 * retention budget; a replica that still needs them is served from a peer ({@link CatchUp}).
 *
 * <p>Not thread-safe; confined to the owning {@link Writer}.
 */
final class Window {
  private final ArrayList<Entry> entries = new ArrayList<>();
  private int head; // entries[head] has seq base + 1; trimmed slots are compacted lazily
  private long base;
  private long baseEpoch;
  private long bytes;

  void reset(long newBase, long newBaseEpoch) {
    entries.clear();
    head = 0;
    base = newBase;
    baseEpoch = newBaseEpoch;
    bytes = 0;
  }

  long base() {
    return base;
  }

  long tail() {
    return base + size();
  }

  int size() {
    return entries.size() - head;
  }

  long bytes() {
    return bytes;
  }

  void add(Entry e) {
    if (e.seq() != tail() + 1) throw new IllegalArgumentException("window tail " + tail() + ", got seq " + e.seq());
    entries.add(e);
    bytes += e.sizeBytes();
  }

  void setBaseEpoch(long epoch) {
    baseEpoch = epoch;
  }

  Entry get(long seq) {
    if (seq <= base || seq > tail()) throw new IllegalArgumentException("seq " + seq + " outside window (" + base + ", " + tail() + "]");
    return entries.get(head + (int) (seq - base - 1));
  }

  /** Epoch stamped on {@code seq}, which must be in {@code [base, tail]}. */
  long epochAt(long seq) {
    return seq == base ? baseEpoch : get(seq).epoch();
  }

  /** Replace every entry by {@code restamped(entry)} (recovery re-stamping). */
  void restamp(long epoch, long above) {
    for (int i = head; i < entries.size(); i++) {
      Entry e = entries.get(i);
      if (e.seq() > above) entries.set(i, e.restamp(epoch));
    }
  }

  /** Bytes of the entries with seq in {@code (seq, tail]}. */
  long bytesAbove(long seq) {
    long sum = 0;
    for (long s = Math.max(seq, base) + 1; s <= tail(); s++) sum += get(s).sizeBytes();
    return sum;
  }

  /**
   * Entries after {@code from} (which must be in {@code [base, tail)}), cut by the message budget, but
   * never before {@code mustReach}: a chunk that stops short of it would break an atomicity rule (the
   * recovery re-stamp).
   */
  List<Entry> chunk(long from, int maxEntries, long maxBytes, long mustReach) {
    List<Entry> out = new ArrayList<>();
    long budget = 0;
    for (long s = from + 1; s <= tail(); s++) {
      Entry e = get(s);
      boolean required = s <= mustReach || out.isEmpty();
      if (!required && (out.size() >= maxEntries || budget + e.sizeBytes() > maxBytes)) break;
      out.add(e);
      budget += e.sizeBytes();
    }
    return out;
  }

  /** Forget entries up to {@code seq} (no-op at or below base). */
  void trimTo(long seq) {
    long to = Math.min(seq, tail());
    if (to <= base) return;
    long newBaseEpoch = epochAt(to);
    for (long s = base + 1; s <= to; s++) bytes -= get(s).sizeBytes();
    head += (int) (to - base);
    base = to;
    baseEpoch = newBaseEpoch;
    if (head > 1024 && head > entries.size() / 2) {
      entries.subList(0, head).clear();
      head = 0;
    }
  }

  List<Entry> all() {
    return List.copyOf(entries.subList(head, entries.size()));
  }
}
