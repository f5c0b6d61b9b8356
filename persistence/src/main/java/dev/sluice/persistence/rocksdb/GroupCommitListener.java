package dev.sluice.persistence.rocksdb;

/**
 * Hears about each group commit of the node's writer (metrics: batch size, fsync latency). Called
 * once per batch, on the writer thread, before the batch's requests are completed: it must be
 * cheap and must not block (counters and timers only), or every write of the node waits for it.
 * Set with {@link RocksDbStorage#groupCommitListener}.
 */
@FunctionalInterface
public interface GroupCommitListener {
  /** Does nothing. */
  GroupCommitListener NONE = (requests, bytes, writeNanos, failed) -> {};

  /**
   * One batch was committed (or failed).
   *
   * @param requests   write requests in the batch (journal writes, replica persists, snapshots...)
   * @param bytes      the batch's size as RocksDB encodes it; 0 if nothing was written
   * @param writeNanos how long the RocksDB write took, including its fsync when {@code sync} is on;
   *                   -1 if nothing was written (failed before the write, or only barriers)
   * @param failed     the batch failed: every request in it failed
   */
  void committed(int requests, long bytes, long writeNanos, boolean failed);
}
