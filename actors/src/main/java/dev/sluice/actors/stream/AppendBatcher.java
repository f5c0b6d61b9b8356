package dev.sluice.actors.stream;

import java.util.ArrayList;
import java.util.List;

/**
 * The appends a stream's entity has received but not yet decided, and whether a flush is already on
 * its way. Typed persistence keeps one write in flight and stashes commands meanwhile; appends
 * collected here while a write runs are decided together and persisted as ONE write when the
 * flush arrives (group commit per stream). See {@link StreamEntity}.
 *
 * <p>Not thread-safe; confined to the entity.
 */
final class AppendBatcher {
  /** Null while empty: an idle entity keeps no list (there may be 100,000 entities on a node). */
  private List<StreamEntity.Append> pending;
  private boolean flushScheduled;

  /** Adds {@code a}; returns true if the caller must send itself a flush (none is on its way yet). */
  boolean add(StreamEntity.Append a) {
    if (pending == null) pending = new ArrayList<>(4);
    pending.add(a);
    if (flushScheduled) return false;
    flushScheduled = true;
    return true;
  }

  /** The flush arrived: it is no longer on its way (a later append schedules the next one). */
  void flushArrived() {
    flushScheduled = false;
  }

  boolean isEmpty() {
    return pending == null;
  }

  /** Takes every pending append, in arrival order. */
  List<StreamEntity.Append> drain() {
    if (pending == null) return List.of();
    List<StreamEntity.Append> batch = List.copyOf(pending);
    pending = null;
    return batch;
  }
}
