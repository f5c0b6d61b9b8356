package dev.sluice.core.protocol;

/** Every protocol header name, in one place (PROTOCOL.md §5, §7). Header names are case-insensitive. */
public final class ProtocolHeaders {
  private ProtocolHeaders() {}

  // Requests and responses (PROTOCOL.md §5.1-§5.9)
  public static final String STREAM_NEXT_OFFSET = "Stream-Next-Offset";
  public static final String STREAM_UP_TO_DATE = "Stream-Up-To-Date";
  public static final String STREAM_CLOSED = "Stream-Closed";
  public static final String STREAM_CURSOR = "Stream-Cursor";
  public static final String STREAM_SEQ = "Stream-Seq";
  public static final String STREAM_TTL = "Stream-TTL";
  public static final String STREAM_EXPIRES_AT = "Stream-Expires-At";
  public static final String STREAM_SSE_DATA_ENCODING = "Stream-SSE-Data-Encoding";
  // Fork (PROTOCOL.md §5.1 fork extension)
  public static final String STREAM_FORKED_FROM = "Stream-Forked-From";
  public static final String STREAM_FORK_OFFSET = "Stream-Fork-Offset";
  public static final String STREAM_FORK_SUB_OFFSET = "Stream-Fork-Sub-Offset";
  // Idempotent producers (PROTOCOL.md §5.2.1)
  public static final String PRODUCER_ID = "Producer-Id";
  public static final String PRODUCER_EPOCH = "Producer-Epoch";
  public static final String PRODUCER_SEQ = "Producer-Seq";
  public static final String PRODUCER_EXPECTED_SEQ = "Producer-Expected-Seq";
  public static final String PRODUCER_RECEIVED_SEQ = "Producer-Received-Seq";
}
