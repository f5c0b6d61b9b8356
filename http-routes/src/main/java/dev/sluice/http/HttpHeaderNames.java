package dev.sluice.http;

import dev.sluice.core.protocol.ProtocolHeaders;
import java.util.List;

/**
 * HTTP header names the routes use that {@link ProtocolHeaders} does not define: standard HTTP,
 * security and CORS headers (checklist §0, §13, §17). Protocol header names stay in
 * {@code ProtocolHeaders}.
 */
final class HttpHeaderNames {
  private HttpHeaderNames() {}

  static final String CACHE_CONTROL = "Cache-Control";
  static final String ETAG = "ETag";
  static final String IF_NONE_MATCH = "If-None-Match";
  static final String LOCATION = "Location";
  static final String RETRY_AFTER = "Retry-After";
  static final String X_ACCEL_BUFFERING = "X-Accel-Buffering";
  // Security headers on every response (checklist §0)
  static final String X_CONTENT_TYPE_OPTIONS = "X-Content-Type-Options";
  static final String CROSS_ORIGIN_RESOURCE_POLICY = "Cross-Origin-Resource-Policy";
  // CORS (checklist §0 [ref], §18.8)
  static final String ACCESS_CONTROL_ALLOW_ORIGIN = "Access-Control-Allow-Origin";
  static final String ACCESS_CONTROL_ALLOW_METHODS = "Access-Control-Allow-Methods";
  static final String ACCESS_CONTROL_ALLOW_HEADERS = "Access-Control-Allow-Headers";
  static final String ACCESS_CONTROL_EXPOSE_HEADERS = "Access-Control-Expose-Headers";
  static final String ACCESS_CONTROL_MAX_AGE = "Access-Control-Max-Age";

  static final String ALLOWED_METHODS = "GET, POST, PUT, DELETE, HEAD, OPTIONS";

  /** Every request header a browser client may send (checklist §17), incl. If-None-Match (0.3.6). */
  static final List<String> ALLOWED_REQUEST_HEADERS = List.of(
      "Content-Type",
      ProtocolHeaders.STREAM_TTL,
      ProtocolHeaders.STREAM_EXPIRES_AT,
      ProtocolHeaders.STREAM_CLOSED,
      ProtocolHeaders.STREAM_SEQ,
      ProtocolHeaders.STREAM_FORKED_FROM,
      ProtocolHeaders.STREAM_FORK_OFFSET,
      ProtocolHeaders.STREAM_FORK_SUB_OFFSET,
      ProtocolHeaders.PRODUCER_ID,
      ProtocolHeaders.PRODUCER_EPOCH,
      ProtocolHeaders.PRODUCER_SEQ,
      IF_NONE_MATCH,
      "Authorization");

  /** Response headers browser code may read (checklist §0 "CORS"). */
  static final List<String> EXPOSED_RESPONSE_HEADERS = List.of(
      ProtocolHeaders.STREAM_NEXT_OFFSET,
      ProtocolHeaders.STREAM_CURSOR,
      ProtocolHeaders.STREAM_UP_TO_DATE,
      ProtocolHeaders.STREAM_CLOSED,
      ProtocolHeaders.PRODUCER_EPOCH,
      ProtocolHeaders.PRODUCER_SEQ,
      ProtocolHeaders.PRODUCER_EXPECTED_SEQ,
      ProtocolHeaders.PRODUCER_RECEIVED_SEQ,
      ETAG,
      "Content-Type",
      "Content-Encoding",
      "Vary",
      LOCATION,
      ProtocolHeaders.STREAM_TTL,
      ProtocolHeaders.STREAM_EXPIRES_AT,
      ProtocolHeaders.STREAM_SSE_DATA_ENCODING);
}
