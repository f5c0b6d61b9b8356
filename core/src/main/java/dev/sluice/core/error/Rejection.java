package dev.sluice.core.error;

import dev.sluice.core.CborSerializable;
import dev.sluice.core.protocol.Offset;

/**
 * A protocol rejection with what the response needs beyond the status: a short detail for the
 * text body, and the headers some rejections must carry (PROTOCOL.md §5.2, §5.2.1):
 * {@code nextOffset}/{@code closed} for appends to a closed stream, {@code producerEpoch} for a
 * stale epoch, {@code expectedSeq}/{@code receivedSeq} for a sequence gap. Absent values are null.
 */
public record Rejection(
    ErrorCode code,
    String detail,
    Offset nextOffset,
    boolean closed,
    Long producerEpoch,
    Long expectedSeq,
    Long receivedSeq)
    implements CborSerializable {

  public static Rejection of(ErrorCode code, String detail) {
    return new Rejection(code, detail, null, false, null, null, null);
  }

  public static Rejection closed(Offset tail) {
    return new Rejection(ErrorCode.STREAM_CLOSED, "stream is closed", tail, true, null, null, null);
  }

  public static Rejection staleEpoch(long currentEpoch) {
    return new Rejection(
        ErrorCode.PRODUCER_EPOCH_STALE, "stale producer epoch", null, false, currentEpoch, null, null);
  }

  public static Rejection seqGap(long expected, long received) {
    return new Rejection(
        ErrorCode.PRODUCER_SEQ_GAP, "producer sequence gap", null, false, null, expected, received);
  }
}
