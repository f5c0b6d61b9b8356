package dev.sluice.core.rules;

import dev.sluice.core.Bytes;
import dev.sluice.core.CborSerializable;
import dev.sluice.core.model.Segment;
import dev.sluice.core.protocol.Offset;
import dev.sluice.core.protocol.ProducerClaim;
import java.util.List;

/** The inputs and outputs of the stream rules, as plain data (also the entity's message payloads). */
public final class Commands {
  private Commands() {}

  /**
   * PUT (PROTOCOL.md §5.1). {@code contentType} is the raw header (null if absent or malformed),
   * {@code body} the raw body, prepared by the rules once the effective content type is known.
   */
  public record Create(
      String contentType, Long ttlSeconds, Long expiresAtMillis, boolean closed, Bytes body, ForkRequest fork)
      implements CborSerializable {}

  /** The fork headers of a PUT; {@code offset} null means the source's tail. */
  public record ForkRequest(String sourcePath, Offset offset, long subOffset) implements CborSerializable {}

  /**
   * What a fork source hands to its new fork: the content type and expiry to inherit, the
   * inherited read path clipped at the fork offset, and the store holding the unit at the fork
   * offset (for sub-offsets; -1 if there is none).
   */
  public record ForkGrant(
      String contentType,
      Long ttlSeconds,
      Long expiresAtMillis,
      List<Segment> inherited,
      Offset forkOffset,
      long anchorStoreId)
      implements CborSerializable {}

  /** POST (PROTOCOL.md §5.2). {@code close} is {@code Stream-Closed: true}. */
  public record Append(String contentType, Payload payload, boolean close, String streamSeq, ProducerClaim producer)
      implements CborSerializable {
    public boolean isCloseOnly() {
      return close && payload.rawEmpty();
    }
  }

  /** Metadata a response needs (PUT, POST, HEAD, GET). */
  public record StreamInfo(String contentType, Offset tail, boolean closed, Long ttlSeconds, Long expiresAtMillis)
      implements CborSerializable {}

  public record CreateResult(boolean created, StreamInfo info) implements CborSerializable {}

  /**
   * An accepted append. {@code duplicate} marks an idempotent-producer retry (no data written);
   * producer fields echo the producer's epoch and highest accepted seq (PROTOCOL.md §5.2.1).
   */
  public record AppendResult(Offset nextOffset, boolean closed, boolean duplicate, Long producerEpoch, Long producerSeq)
      implements CborSerializable {}
}
