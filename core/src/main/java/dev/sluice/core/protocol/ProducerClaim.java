package dev.sluice.core.protocol;

/**
 * The idempotent-producer headers of one request (PROTOCOL.md §5.2.1): all three are present
 * or none. Epoch and seq are non-negative and at most 2^53-1 (validated by the HTTP layer).
 */
public record ProducerClaim(String id, long epoch, long seq) {
  public static final long MAX_SAFE_INTEGER = (1L << 53) - 1;

  public ProducerClaim {
    if (id == null || id.isEmpty()) throw new IllegalArgumentException("producer id must be non-empty");
    if (epoch < 0 || seq < 0) throw new IllegalArgumentException("negative producer epoch/seq");
  }
}
