package dev.sluice.persistence.rocksdb;

import dev.sluice.persistence.store.StreamKey;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * INTERNAL API. Which streams have writes queued in the {@link GroupCommitWriter} that are not
 * settled yet (written and synced, or failed), so a read that must see a stream's earlier writes
 * (read-your-writes: the highest sequence number, the latest snapshot) waits for the writer only
 * when that stream has something in flight.
 *
 * <p>Why: every entity recovery reads both. Behind an unconditional writer barrier, a brand-new
 * stream (nothing ever written) waited for the fsync in flight and then for its barrier's own batch,
 * twice, before its creation event could even be queued: that capped stream creation at a few
 * thousand per second on one node.
 *
 * <p>A request is counted from before it is queued until after its batch was written (or it
 * failed), so "not pending" means committed state already holds every write submitted so far.
 * Requests whose streams are unknown up front (staged writes, unkeyed isolated writes) count for
 * every stream: while any is queued, every read waits as before.
 *
 * <p>Thread-safe: requests are added by submitting threads and removed by the writer thread.
 */
final class PendingStreams {
  private final ConcurrentHashMap<StreamKey, Integer> counts = new ConcurrentHashMap<>();
  private final AtomicInteger unkeyed = new AtomicInteger();

  /** Counts a request that writes {@code streams}; null means "any stream". */
  void add(Set<StreamKey> streams) {
    if (streams == null) {
      unkeyed.incrementAndGet();
      return;
    }
    for (StreamKey s : streams) {
      counts.merge(s, 1, Integer::sum);
    }
  }

  /** Un-counts a request added with the same {@code streams}, once it is settled. */
  void remove(Set<StreamKey> streams) {
    if (streams == null) {
      unkeyed.decrementAndGet();
      return;
    }
    for (StreamKey s : streams) {
      counts.computeIfPresent(s, (k, n) -> n == 1 ? null : n - 1);
    }
  }

  /** True if a read of {@code stream} must wait for the writer to see every earlier write. */
  boolean isPending(StreamKey stream) {
    return unkeyed.get() > 0 || counts.containsKey(stream);
  }

  /** Streams with queued writes (entries held; for tests and diagnostics). */
  int size() {
    return counts.size();
  }
}
