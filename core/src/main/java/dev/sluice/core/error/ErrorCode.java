package dev.sluice.core.error;

/**
 * The closed set of protocol rejections. {@code http-routes/ErrorMapping} maps each to exactly one
 * HTTP status in an exhaustive switch; nothing else decides statuses.
 */
public enum ErrorCode {
  // 404: missing or expired (PROTOCOL.md §5, checklist §14 "After expiry")
  STREAM_NOT_FOUND,
  FORK_SOURCE_NOT_FOUND,
  // 410: soft-deleted while forks still reference it (checklist §7)
  STREAM_GONE,
  // 409
  CONFIG_MISMATCH,
  STREAM_SOFT_DELETED,
  FORK_SOURCE_SOFT_DELETED,
  CONTENT_TYPE_MISMATCH,
  STREAM_CLOSED,
  SEQ_CONFLICT,
  PRODUCER_SEQ_GAP,
  // 403: zombie fencing (PROTOCOL.md §5.2.1)
  PRODUCER_EPOCH_STALE,
  // 400
  PRODUCER_EPOCH_SEQ_NOT_ZERO,
  INVALID_JSON,
  EMPTY_JSON_ARRAY,
  FORK_OFFSET_BEYOND_TAIL,
  FORK_SUB_OFFSET_INVALID,
  BAD_REQUEST,
  // 413
  PAYLOAD_TOO_LARGE
}
