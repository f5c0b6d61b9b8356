package dev.sluice.http;

import dev.sluice.actors.api.ReadChunk;
import dev.sluice.core.protocol.ContentTypes;
import dev.sluice.core.protocol.Offset;
import dev.sluice.core.protocol.ProducerClaim;
import dev.sluice.core.protocol.ProtocolHeaders;
import dev.sluice.core.protocol.ReadFrom;
import dev.sluice.core.rules.Commands;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.Query;
import org.apache.pekko.http.javadsl.model.Uri;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.scaladsl.model.IllegalUriException;

/**
 * Parses protocol request headers and query parameters into {@code core.protocol} types, and
 * renders protocol response headers. Every syntax rule of checklist §1-§5 lives here; a violation
 * throws {@link BadRequestException} (400). Header names are case-insensitive (Pekko's lookup).
 * Stateless, thread-safe.
 */
final class Headers {
  private Headers() {}

  private static final Pattern TTL = Pattern.compile("^(0|[1-9][0-9]*)$");
  private static final Pattern SUB_OFFSET = Pattern.compile("^(0|[1-9][0-9]*)$");
  private static final Pattern UNSIGNED = Pattern.compile("^[0-9]+$");
  /** Largest TTL whose millisecond value still fits a long. */
  private static final long MAX_TTL_SECONDS = Long.MAX_VALUE / 1000;
  /** No append unit comes near this many bytes or JSON values. */
  private static final long MAX_SUB_OFFSET = 999_999_999_999_999_999L;
  /**
   * RFC 3339 date-time: {@code Z} or {@code ±hh:mm}, optional fraction, {@code T}/{@code Z} in any
   * case. Strict resolution: the default (smart) one turned {@code 2030-02-30} into 02-28 and
   * {@code T24:00} into the next day, so an impossible date silently became another deadline.
   */
  private static final DateTimeFormatter RFC3339 = new DateTimeFormatterBuilder()
      .parseCaseInsensitive()
      .append(DateTimeFormatter.ISO_OFFSET_DATE_TIME)
      .toFormatter()
      .withResolverStyle(ResolverStyle.STRICT);

  // Pekko hides an absent Content-Type behind defaults: a request without a body gets
  // NoContentType, one with a body gets the shared application/octet-stream constant
  // (HttpMessageParser.contentType). An explicit header is parsed into a fresh ContentType, so
  // reference identity tells "absent" from "explicitly application/octet-stream" (checklist §2, §3:
  // a fork without Content-Type inherits; §4: a POST body without Content-Type is a 400).
  private static final Object ABSENT_WITH_BODY =
      org.apache.pekko.http.scaladsl.model.ContentTypes.application$divoctet$minusstream();
  private static final Object ABSENT_WITHOUT_BODY = org.apache.pekko.http.scaladsl.model.ContentTypes.NoContentType();

  // ---------------------------------------------------------------- request headers

  static Optional<String> value(HttpRequest req, String name) {
    return req.getHeader(name).map(HttpHeader::value);
  }

  /**
   * The request's Content-Type as sent (rendered by Pekko), or null when absent or malformed;
   * a malformed value counts as absent (checklist §2 [ref]). Pekko keeps a malformed header as a
   * raw header and gives the entity the absent-with-body default.
   */
  static String requestContentType(HttpRequest req) {
    ContentType ct = req.entity().getContentType();
    if (ct == ABSENT_WITH_BODY || ct == ABSENT_WITHOUT_BODY) return null;
    String rendered = ct.toString();
    return ContentTypes.isWellFormed(rendered) ? rendered : null;
  }

  /** {@code Stream-Closed} counts only when it equals {@code true} ignoring case (checklist §2, §18.7). */
  static boolean closeRequested(HttpRequest req) {
    return value(req, ProtocolHeaders.STREAM_CLOSED).map(v -> v.trim().equalsIgnoreCase("true")).orElse(false);
  }

  /** {@code Stream-Seq}: an opaque token, compared by the rules (checklist §4). */
  static String streamSeq(HttpRequest req) {
    return value(req, ProtocolHeaders.STREAM_SEQ).orElse(null);
  }

  /** The expiry headers of a PUT (checklist §2): TTL seconds or an absolute deadline, never both. */
  record Expiry(Long ttlSeconds, Long expiresAtMillis) {}

  /**
   * @param nowMillis the server's clock: a {@code Stream-Expires-At} at or before it is a 400, like
   *     any invalid value (it would create a stream that answers 404 at once, checklist §14)
   */
  static Expiry expiry(long nowMillis, HttpRequest req) {
    Optional<String> ttl = value(req, ProtocolHeaders.STREAM_TTL);
    Optional<String> expiresAt = value(req, ProtocolHeaders.STREAM_EXPIRES_AT);
    if (ttl.isPresent() && expiresAt.isPresent()) {
      throw new BadRequestException("Stream-TTL and Stream-Expires-At are mutually exclusive");
    }
    Long deadline = expiresAt.map(Headers::parseExpiresAt).orElse(null);
    if (deadline != null && deadline <= nowMillis) {
      throw new BadRequestException("Stream-Expires-At is in the past (server time " + Instant.ofEpochMilli(nowMillis) + ")");
    }
    return new Expiry(ttl.map(Headers::parseTtl).orElse(null), deadline);
  }

  static long parseTtl(String v) {
    if (!TTL.matcher(v).matches()) throw new BadRequestException("invalid Stream-TTL");
    long ttl = unsignedAtMost(v, MAX_TTL_SECONDS);
    if (ttl < 0) throw new BadRequestException("Stream-TTL too large (at most " + MAX_TTL_SECONDS + ")");
    // The syntax admits 0, but a stream idle for 0 s is expired when created: answering 201 and
    // then 404 misleads the client, so 0 is rejected like any other unusable value.
    if (ttl == 0) throw new BadRequestException("Stream-TTL must be at least 1 second");
    return ttl;
  }

  static long parseExpiresAt(String v) {
    try {
      return OffsetDateTime.parse(v.trim(), RFC3339).toInstant().toEpochMilli();
    } catch (DateTimeParseException | ArithmeticException e) {
      throw new BadRequestException("invalid Stream-Expires-At (RFC 3339 expected)");
    }
  }

  /**
   * The idempotent-producer claim (checklist §5): all three headers or none; a non-empty id;
   * epoch and seq decimal integers in {@code 0..2^53-1}. Null when none is present.
   */
  static ProducerClaim producer(HttpRequest req) {
    Optional<String> id = value(req, ProtocolHeaders.PRODUCER_ID);
    Optional<String> epoch = value(req, ProtocolHeaders.PRODUCER_EPOCH);
    Optional<String> seq = value(req, ProtocolHeaders.PRODUCER_SEQ);
    if (id.isEmpty() && epoch.isEmpty() && seq.isEmpty()) return null;
    if (id.isEmpty() || epoch.isEmpty() || seq.isEmpty()) {
      throw new BadRequestException("Producer-Id, Producer-Epoch and Producer-Seq must be sent together");
    }
    if (id.get().isEmpty()) throw new BadRequestException("Producer-Id must not be empty");
    return new ProducerClaim(id.get(), safeInteger(epoch.get(), ProtocolHeaders.PRODUCER_EPOCH),
        safeInteger(seq.get(), ProtocolHeaders.PRODUCER_SEQ));
  }

  /** Checklist §5: {@code ^[0-9]+$} (leading zeros allowed, as the reference does) and at most 2^53-1. */
  static long safeInteger(String v, String header) {
    if (!UNSIGNED.matcher(v).matches()) throw new BadRequestException("invalid " + header);
    long n = unsignedAtMost(v, ProducerClaim.MAX_SAFE_INTEGER);
    if (n < 0) throw new BadRequestException(header + " exceeds 2^53-1");
    return n;
  }

  /**
   * The value of {@code digits} (ASCII digits only, already checked), or -1 when it is above
   * {@code max}. Never throws: a value beyond a long once escaped as a NumberFormatException and
   * answered 500 (issue: reliability item 6).
   */
  static long unsignedAtMost(String digits, long max) {
    int i = 0;
    while (i < digits.length() - 1 && digits.charAt(i) == '0') i++;
    // 18 digits always fit a long; every bound used here is below 10^18.
    if (digits.length() - i > 18) return -1;
    long n = Long.parseLong(digits, i, digits.length(), 10);
    return n > max ? -1 : n;
  }

  /**
   * The fork headers of a PUT (checklist §3), or null when {@code Stream-Forked-From} is absent.
   * Sub-offset without Forked-From is a 400 even when 0; a sub-offset above 0 needs a Fork-Offset.
   */
  static Commands.ForkRequest fork(HttpRequest req) {
    Optional<String> from = value(req, ProtocolHeaders.STREAM_FORKED_FROM);
    Optional<String> offsetRaw = value(req, ProtocolHeaders.STREAM_FORK_OFFSET);
    Optional<String> subRaw = value(req, ProtocolHeaders.STREAM_FORK_SUB_OFFSET);
    Offset offset = offsetRaw.map(v -> {
      Offset o = Offset.parseOrNull(v);
      if (o == null) throw new BadRequestException("invalid Stream-Fork-Offset");
      return o;
    }).orElse(null);
    if (subRaw.isPresent() && from.isEmpty()) {
      throw new BadRequestException("Stream-Fork-Sub-Offset requires Stream-Forked-From");
    }
    if (from.isEmpty()) return null;
    long sub = 0;
    if (subRaw.isPresent()) {
      String v = subRaw.get();
      if (!SUB_OFFSET.matcher(v).matches()) throw new BadRequestException("invalid Stream-Fork-Sub-Offset");
      sub = unsignedAtMost(v, MAX_SUB_OFFSET);
      if (sub < 0) throw new BadRequestException("Stream-Fork-Sub-Offset too large (at most " + MAX_SUB_OFFSET + ")");
      if (sub > 0 && offset == null) throw new BadRequestException("Stream-Fork-Sub-Offset > 0 requires Stream-Fork-Offset");
    }
    return new Commands.ForkRequest(StreamPaths.fromForkHeader(from.get()), offset, sub);
  }

  // ---------------------------------------------------------------- query parameters

  /** The read mode ({@code live} query parameter, checklist §17: unknown values mean catch-up). */
  enum Live {
    CATCH_UP,
    LONG_POLL,
    SSE
  }

  /**
   * A GET's query: {@code from} is null when {@code offset} is absent (same as {@code -1} for
   * catch-up; a 400 for live modes), {@code cursor} the raw echoed cursor or null.
   */
  record ReadQuery(ReadFrom from, Live live, String cursor) {}

  /** Parses {@code offset}, {@code live} and {@code cursor}; unknown parameters are ignored (checklist §0). */
  static ReadQuery readQuery(Uri uri) {
    Query q;
    List<String> offsets;
    try {
      q = uri.query();
      offsets = q.getAll("offset");
    } catch (IllegalUriException | IllegalArgumentException e) {
      throw new BadRequestException("malformed query string");
    }
    if (offsets.size() > 1) throw new BadRequestException("repeated offset parameter");
    ReadFrom from = null;
    if (offsets.size() == 1) {
      // Only -1, now or digits_digits: rejects empty values, commas, spaces, '/', NUL, CR/LF (checklist §1).
      from = ReadFrom.parseOrNull(offsets.get(0));
      if (from == null) throw new BadRequestException("invalid offset");
    }
    Live live = switch (q.get("live").orElse("")) {
      case "long-poll" -> Live.LONG_POLL;
      case "sse" -> Live.SSE;
      default -> Live.CATCH_UP;
    };
    return new ReadQuery(from, live, q.get("cursor").orElse(null));
  }

  // ---------------------------------------------------------------- response headers

  static HttpHeader raw(String name, String value) {
    return RawHeader.create(name, value);
  }

  static HttpHeader nextOffset(Offset o) {
    return raw(ProtocolHeaders.STREAM_NEXT_OFFSET, o.format());
  }

  static HttpHeader upToDate() {
    return raw(ProtocolHeaders.STREAM_UP_TO_DATE, "true");
  }

  static HttpHeader closed() {
    return raw(ProtocolHeaders.STREAM_CLOSED, "true");
  }

  static HttpHeader cursor(long cursor) {
    return raw(ProtocolHeaders.STREAM_CURSOR, Long.toString(cursor));
  }

  static HttpHeader cacheControl(String value) {
    return raw(HttpHeaderNames.CACHE_CONTROL, value);
  }

  /**
   * {@code "<storeId hex>:<from>:<next>[:c]"}: changes with new data, with a re-created stream
   * (new store id) and with closure even without new data (checklist §13 "ETag on GET").
   */
  static String etag(ReadChunk chunk) {
    return "\"" + Long.toHexString(chunk.view().storeId()) + ":" + chunk.from().format() + ":"
        + chunk.next().format() + (chunk.closedAtEnd() ? ":c" : "") + "\"";
  }

  /** True when {@code If-None-Match} lists {@code etag} (weak comparison, RFC 9110 §13.1.2). */
  static boolean ifNoneMatchMatches(HttpRequest req, String etag) {
    Optional<String> inm = value(req, HttpHeaderNames.IF_NONE_MATCH);
    if (inm.isEmpty()) return false;
    for (String candidate : inm.get().split(",")) {
      String c = candidate.trim();
      if (c.startsWith("W/")) c = c.substring(2);
      if (c.equals(etag)) return true;
    }
    return false;
  }

  /**
   * A stored content type as a Pekko {@link ContentType} that renders exactly as stored, with no
   * added {@code charset} (checklist §0 "Content-Type echo", §18.3).
   */
  static ContentType contentType(String stored) {
    if (stored == null) return org.apache.pekko.http.javadsl.model.ContentTypes.APPLICATION_OCTET_STREAM;
    ContentType cached = PARSED_TYPES.get(stored);
    if (cached != null) return cached;
    ContentType parsed;
    try {
      parsed = org.apache.pekko.http.javadsl.model.ContentTypes.parse(stored);
    } catch (RuntimeException e) {
      parsed = org.apache.pekko.http.javadsl.model.ContentTypes.APPLICATION_OCTET_STREAM;
    }
    if (stored.length() <= 200 && PARSED_TYPES.size() < PARSED_TYPES_MAX) PARSED_TYPES.putIfAbsent(stored, parsed);
    return parsed;
  }

  /**
   * Stored content types already parsed: every response carries one, and parsing it (Pekko's
   * header parser) took ~2.5 % of the dispatcher's CPU when creating streams. Nodes see few
   * distinct types; past the bound (1,024 types of at most 200 chars: ~0.5 MB) the others are
   * parsed each time instead of growing the map.
   */
  private static final java.util.concurrent.ConcurrentHashMap<String, ContentType> PARSED_TYPES =
      new java.util.concurrent.ConcurrentHashMap<>();
  private static final int PARSED_TYPES_MAX = 1024;
}
