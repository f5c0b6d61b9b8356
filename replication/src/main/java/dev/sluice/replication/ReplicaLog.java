package dev.sluice.replication;

import java.util.ArrayList;
import java.util.List;

/**
 * Read-only view of one replica's log for one stream, as {@link Replica#handle} needs it. The driver
 * backs it with its store (RocksDB); the simulator and tests with {@link InMemoryReplicaLog}.
 *
 * <p>Contract: the view reflects every {@link LogChange} of earlier steps, durable or not yet (the same
 * rule as for {@link ReplicaState}: a step runs against the state the previous steps produced), and
 * {@link #tailSeq()} equals the {@link ReplicaState#tailSeq()} handed in with it. Calls come from the
 * thread running the step; implementations need not be thread-safe.
 */
public interface ReplicaLog {
  /** Highest seq held (0 when empty). */
  long tailSeq();

  /** Epoch stamped on the entry at {@code seq}; {@link Epoch#NONE} for seq 0. Requires {@code seq <= tailSeq()}. */
  long epochAt(long seq);

  /**
   * Entries with seq in {@code (fromSeq, tailSeq]}, in order, at most {@code max} of them and no more
   * than {@code maxBytes} by {@link Entry#sizeBytes()}, except that the first entry is always returned
   * if there is one (an entry larger than the budget travels alone). See {@link #page}.
   */
  List<Entry> entries(long fromSeq, int max, long maxBytes);

  /** The paging rule, for implementations and callers that cut a list they already hold. */
  static List<Entry> page(List<Entry> candidates, int max, long maxBytes) {
    List<Entry> out = new ArrayList<>(Math.min(candidates.size(), Math.max(0, max)));
    long bytes = 0;
    for (Entry e : candidates) {
      if (out.size() >= max) break;
      long size = e.sizeBytes();
      if (!out.isEmpty() && bytes + size > maxBytes) break;
      out.add(e);
      bytes += size;
    }
    return out;
  }
}
