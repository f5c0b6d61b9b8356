package dev.sluice.replication;

import java.util.List;

/**
 * How one step changes a replica's log, as data the driver applies in the same synced write batch as
 * the step's {@link ReplicaState}: first delete every entry with seq above {@code truncateAfter} (unless
 * it is {@link #NO_TRUNCATE}), then write {@code append}. Appended entries are dense and start right
 * after the surviving tail.
 *
 * <p>Why truncation and append are one value: a replica's log must never be observed (after a crash)
 * with the old suffix gone but the new entries missing, or the other way round; both halves and the
 * new meta go to disk together.
 */
public record LogChange(long truncateAfter, List<Entry> append) {
  public static final long NO_TRUNCATE = -1;
  public static final LogChange NONE = new LogChange(NO_TRUNCATE, List.of());

  public LogChange {
    append = List.copyOf(append);
    if (truncateAfter < NO_TRUNCATE) throw new IllegalArgumentException("truncateAfter " + truncateAfter);
    for (int i = 1; i < append.size(); i++) {
      if (append.get(i).seq() != append.get(i - 1).seq() + 1) throw new IllegalArgumentException("appended entries not dense: " + append);
    }
    if (truncateAfter != NO_TRUNCATE && !append.isEmpty() && append.get(0).seq() != truncateAfter + 1) {
      throw new IllegalArgumentException("append after truncation must start at " + (truncateAfter + 1) + ", starts at " + append.get(0).seq());
    }
  }

  public static LogChange append(List<Entry> entries) {
    return entries.isEmpty() ? NONE : new LogChange(NO_TRUNCATE, entries);
  }

  public static LogChange replace(long truncateAfter, List<Entry> entries) {
    return new LogChange(truncateAfter, entries);
  }

  public boolean truncates() {
    return truncateAfter != NO_TRUNCATE;
  }

  public boolean isEmpty() {
    return !truncates() && append.isEmpty();
  }

  /** The tail after applying this change to a log whose tail is {@code tail}. */
  public long tailAfter(long tail) {
    long kept = truncates() ? Math.min(tail, truncateAfter) : tail;
    return kept + append.size();
  }

  @Override
  public String toString() {
    if (isEmpty()) return "LogChange[none]";
    String range = append.isEmpty() ? "" : " +(" + (append.get(0).seq() - 1) + ", " + append.get(append.size() - 1).seq() + "]";
    return "LogChange[" + (truncates() ? "truncate>" + truncateAfter : "") + range + "]";
  }
}
