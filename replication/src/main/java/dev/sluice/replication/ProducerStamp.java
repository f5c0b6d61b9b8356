package dev.sluice.replication;

/**
 * The idempotent-producer claim an entry was written under (Durable Streams protocol, idempotent
 * producers: {@code Producer-Id}, {@code Producer-Epoch}, {@code Producer-Seq}).
 *
 * <p>Why it rides in the replicated entry: the dedupe table must be committed atomically with the data
 * (the protocol asks for producer state and log appends to commit together). A new owner rebuilds the
 * table from the recovered log, so a retry after failover is recognised as a duplicate.
 */
public record ProducerStamp(String id, long epoch, long seq) {
  public ProducerStamp {
    if (id == null || id.isEmpty()) throw new IllegalArgumentException("producer id must be non-empty");
    if (epoch < 0 || seq < 0) throw new IllegalArgumentException("negative producer epoch/seq");
  }
}
