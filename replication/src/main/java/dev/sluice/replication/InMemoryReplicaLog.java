package dev.sluice.replication;

import java.util.ArrayList;
import java.util.List;

/**
 * A {@link ReplicaLog} in a list, changed by {@link #apply(LogChange)}: the simulator's disk (one copy
 * for what is durable, one for what the replica has already decided) and the tests' fixture. A driver
 * may use it for streams it keeps in memory.
 *
 * <p>Not thread-safe.
 */
public final class InMemoryReplicaLog implements ReplicaLog {
  private final ArrayList<Entry> entries;

  public InMemoryReplicaLog() {
    this.entries = new ArrayList<>();
  }

  private InMemoryReplicaLog(List<Entry> entries) {
    this.entries = new ArrayList<>(entries);
  }

  /** An independent copy (a crash resets what a replica decided to what its disk holds). */
  public InMemoryReplicaLog copy() {
    return new InMemoryReplicaLog(entries);
  }

  public void apply(LogChange c) {
    if (c.truncates() && c.truncateAfter() < entries.size()) entries.subList((int) c.truncateAfter(), entries.size()).clear();
    if (!c.append().isEmpty() && c.append().get(0).seq() != entries.size() + 1L) {
      throw new IllegalStateException(c + " does not continue a log whose tail is " + entries.size());
    }
    entries.addAll(c.append());
  }

  @Override
  public long tailSeq() {
    return entries.size();
  }

  @Override
  public long epochAt(long seq) {
    if (seq < 0 || seq > entries.size()) throw new IllegalArgumentException("seq " + seq + " outside [0, " + entries.size() + "]");
    return seq == 0 ? Epoch.NONE : entries.get((int) (seq - 1)).epoch();
  }

  @Override
  public List<Entry> entries(long fromSeq, int max, long maxBytes) {
    long from = Math.max(0, fromSeq);
    if (from >= entries.size() || max <= 0) return List.of();
    long to = Math.min(entries.size(), from + max);
    return ReplicaLog.page(entries.subList((int) from, (int) to), max, maxBytes);
  }

  /** Every entry, for tests and the simulator's final checks. */
  public List<Entry> all() {
    return List.copyOf(entries);
  }
}
