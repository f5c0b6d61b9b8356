package dev.sluice.persistence.rocksdb;

/**
 * Counters of the node's group-commit writer since the storage opened. {@code requests / batches}
 * is the achieved group-commit factor (how many writes one fsync paid for); {@code failedBatches}
 * counts batches whose write or sync failed, failing every request in them. Immutable.
 */
public record GroupCommitStats(long batches, long requests, long failedBatches) {}
