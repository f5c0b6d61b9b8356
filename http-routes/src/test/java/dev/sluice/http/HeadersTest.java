package dev.sluice.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.protocol.Offset;
import dev.sluice.core.protocol.ProducerClaim;
import dev.sluice.core.protocol.ReadFrom;
import dev.sluice.core.rules.Commands;
import java.time.Instant;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.Uri;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Header and query syntax (checklist §1-§5), without a server. */
class HeadersTest {
  /** 2026-01-01T00:00:00Z: the "now" expiry headers are checked against. */
  private static final long NOW_MILLIS = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();

  private static HttpRequest req(String... nameValues) {
    HttpRequest r = HttpRequest.PUT("/v1/stream/x");
    for (int i = 0; i < nameValues.length; i += 2) r = r.addHeader(RawHeader.create(nameValues[i], nameValues[i + 1]));
    return r;
  }

  @ParameterizedTest
  @ValueSource(strings = {"1", "60", "3600", "9223372036854775"})
  void validTtlsParse(String ttl) {
    assertEquals(Long.parseLong(ttl), Headers.expiry(NOW_MILLIS, req("Stream-TTL", ttl)).ttlSeconds());
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "+60", "00060", "060", "60.5", "1e3", "abc", "-1", "", "0x10", "99999999999999999999"})
  void invalidTtlsAreBadRequests(String ttl) {
    assertThrows(BadRequestException.class, () -> Headers.expiry(NOW_MILLIS, req("Stream-TTL", ttl)));
  }

  @Test
  void expiresAtAcceptsZuluAndNumericOffsets() {
    assertEquals(Instant.parse("2030-01-01T00:00:00Z").toEpochMilli(),
        Headers.expiry(NOW_MILLIS, req("Stream-Expires-At", "2030-01-01T00:00:00Z")).expiresAtMillis());
    assertEquals(Instant.parse("2030-01-01T00:00:00.123Z").toEpochMilli(),
        Headers.expiry(NOW_MILLIS, req("Stream-Expires-At", "2030-01-01T00:00:00.123Z")).expiresAtMillis());
    assertEquals(Instant.parse("2029-12-31T22:00:00Z").toEpochMilli(),
        Headers.expiry(NOW_MILLIS, req("Stream-Expires-At", "2030-01-01T00:00:00+02:00")).expiresAtMillis());
    assertEquals(Instant.parse("2030-01-01T05:30:00Z").toEpochMilli(),
        Headers.expiry(NOW_MILLIS, req("stream-expires-at", "2030-01-01T00:00:00-05:30")).expiresAtMillis());
  }

  @ParameterizedTest
  @ValueSource(strings = {"tomorrow", "2030-01-01", "2030-01-01T00:00:00", "2030-13-01T00:00:00Z", "1700000000"})
  void unparseableExpiresAtIsABadRequest(String v) {
    assertThrows(BadRequestException.class, () -> Headers.expiry(NOW_MILLIS, req("Stream-Expires-At", v)));
  }

  /** Strict resolution: no day-of-month clamping (02-30 once became 02-28) and no 24:00. */
  @ParameterizedTest
  @ValueSource(strings = {"2030-02-30T00:00:00Z", "2030-02-29T00:00:00Z", "2030-04-31T00:00:00Z", "2030-01-32T00:00:00Z",
      "2030-01-01T24:00:00Z", "2030-01-01T23:60:00Z", "2030-00-10T00:00:00Z", "2030-01-01T00:00:00+25:00",
      "+999999999-12-31T23:59:59Z"})
  void impossibleDatesAndTimesAreBadRequests(String v) {
    assertThrows(BadRequestException.class, () -> Headers.expiry(NOW_MILLIS, req("Stream-Expires-At", v)));
  }

  @Test
  void aLeapDayInALeapYearIsFine() {
    assertEquals(Instant.parse("2028-02-29T12:00:00Z").toEpochMilli(),
        Headers.expiry(NOW_MILLIS, req("Stream-Expires-At", "2028-02-29T12:00:00Z")).expiresAtMillis());
  }

  /** An expiry that has already passed would create a stream that is 404 at once. */
  @ParameterizedTest
  @ValueSource(strings = {"2025-12-31T23:59:59Z", "2026-01-01T00:00:00Z", "2026-01-01T01:00:00+02:00", "1970-01-01T00:00:00Z",
      "0001-01-01T00:00:00Z", "-999999999-01-01T00:00:00Z"})
  void anExpiresAtThatIsNotInTheFutureIsABadRequest(String v) {
    var e = assertThrows(BadRequestException.class, () -> Headers.expiry(NOW_MILLIS, req("Stream-Expires-At", v)));
    assertTrue(e.getMessage().contains("past") || e.getMessage().contains("invalid"), e.getMessage());
  }

  @Test
  void anExpiresAtOneMillisecondAheadIsFine() {
    assertEquals(NOW_MILLIS + 1,
        Headers.expiry(NOW_MILLIS, req("Stream-Expires-At", "2026-01-01T00:00:00.001Z")).expiresAtMillis());
  }

  @Test
  void ttlAndExpiresAtTogetherAreABadRequest() {
    assertThrows(BadRequestException.class,
        () -> Headers.expiry(NOW_MILLIS, req("Stream-TTL", "60", "Stream-Expires-At", "2030-01-01T00:00:00Z")));
  }

  @ParameterizedTest
  @ValueSource(strings = {"true", "TRUE", "True", "tRuE"})
  void streamClosedTrueInAnyCaseCloses(String v) {
    assertTrue(Headers.closeRequested(req("Stream-Closed", v)));
  }

  @ParameterizedTest
  @ValueSource(strings = {"false", "yes", "1", "", "truee"})
  void otherStreamClosedValuesAreIgnored(String v) {
    assertFalse(Headers.closeRequested(req("Stream-Closed", v)));
  }

  @Test
  void producerHeadersParseWhenAllThreeArePresent() {
    assertEquals(new ProducerClaim("p", 3, 9007199254740991L),
        Headers.producer(req("producer-id", "p", "Producer-Epoch", "3", "PRODUCER-SEQ", "9007199254740991")));
    assertNull(Headers.producer(req()));
  }

  @Test
  void producerIntegersMayHaveLeadingZerosLikeTheReference() {
    assertEquals(new ProducerClaim("p", 1, 9007199254740991L), Headers.producer(req("Producer-Id", "p",
        "Producer-Epoch", "0000000000000000000001", "Producer-Seq", "0009007199254740991")));
  }

  @Test
  void partialProducerHeadersAreBadRequests() {
    assertThrows(BadRequestException.class, () -> Headers.producer(req("Producer-Id", "p")));
    assertThrows(BadRequestException.class, () -> Headers.producer(req("Producer-Id", "p", "Producer-Epoch", "0")));
    assertThrows(BadRequestException.class, () -> Headers.producer(req("Producer-Epoch", "0", "Producer-Seq", "0")));
    assertThrows(BadRequestException.class, () -> Headers.producer(req("Producer-Seq", "0")));
  }

  @Test
  void emptyProducerIdIsABadRequest() {
    assertThrows(BadRequestException.class,
        () -> Headers.producer(req("Producer-Id", "", "Producer-Epoch", "0", "Producer-Seq", "0")));
  }

  @ParameterizedTest
  @ValueSource(strings = {"1abc", "0xyz", "1e3", "-1", "", "1.0", " ", "9007199254740992", "99999999999999999999",
      "9999999999999999999", "9223372036854775807", "9223372036854775808", "18446744073709551616", "\u0663", "+1"})
  void invalidProducerIntegersAreBadRequests(String v) {
    assertThrows(BadRequestException.class,
        () -> Headers.producer(req("Producer-Id", "p", "Producer-Epoch", v, "Producer-Seq", "0")));
    assertThrows(BadRequestException.class,
        () -> Headers.producer(req("Producer-Id", "p", "Producer-Epoch", "0", "Producer-Seq", v)));
  }

  @Test
  void forkHeadersParseIntoAForkRequest() {
    Commands.ForkRequest f = Headers.fork(req("Stream-Forked-From", "/v1/stream/a/b",
        "Stream-Fork-Offset", "0000000000000000_0000000000000005", "Stream-Fork-Sub-Offset", "3"));
    assertEquals(new Commands.ForkRequest("a/b", Offset.at(5), 3), f);
    assertEquals(new Commands.ForkRequest("src", null, 0), Headers.fork(req("Stream-Forked-From", "/v1/stream/src")));
    assertNull(Headers.fork(req()));
  }

  @Test
  void subOffsetWithoutForkedFromIsABadRequestEvenWhenZero() {
    assertThrows(BadRequestException.class, () -> Headers.fork(req("Stream-Fork-Sub-Offset", "0")));
    assertThrows(BadRequestException.class, () -> Headers.fork(req("Stream-Fork-Sub-Offset", "2",
        "Stream-Fork-Offset", "0000000000000000_0000000000000000")));
  }

  @Test
  void positiveSubOffsetWithoutForkOffsetIsABadRequest() {
    assertThrows(BadRequestException.class,
        () -> Headers.fork(req("Stream-Forked-From", "/v1/stream/src", "Stream-Fork-Sub-Offset", "1")));
    assertEquals(0, Headers.fork(req("Stream-Forked-From", "/v1/stream/src", "Stream-Fork-Sub-Offset", "0")).subOffset());
  }

  @ParameterizedTest
  @ValueSource(strings = {"01", "-1", "+1", "1.5", "", "abc", " 1x"})
  void malformedSubOffsetsAreBadRequests(String v) {
    assertThrows(BadRequestException.class, () -> Headers.fork(req("Stream-Forked-From", "/v1/stream/src",
        "Stream-Fork-Offset", "0000000000000000_0000000000000000", "Stream-Fork-Sub-Offset", v)));
  }

  @ParameterizedTest
  @ValueSource(strings = {"5", "-1", "now", "abc_def", "1_", "_1", ""})
  void malformedForkOffsetsAreBadRequests(String v) {
    assertThrows(BadRequestException.class,
        () -> Headers.fork(req("Stream-Forked-From", "/v1/stream/src", "Stream-Fork-Offset", v)));
  }

  @ParameterizedTest
  @ValueSource(strings = {"src", "/v1/streams/src", "/v2/stream/src", "/v1/stream/", "/v1/stream/__ds/jwks.json", "%%"})
  void forkSourcesOutsideTheStreamRootAreBadRequests(String v) {
    assertThrows(BadRequestException.class, () -> Headers.fork(req("Stream-Forked-From", v)));
  }

  private static Headers.ReadQuery query(String q) {
    return Headers.readQuery(Uri.create("http://h/v1/stream/x" + q));
  }

  @Test
  void offsetSentinelsAndTokensParse() {
    assertNull(query("").from());
    assertEquals(ReadFrom.Start.INSTANCE, query("?offset=-1").from());
    assertEquals(ReadFrom.Now.INSTANCE, query("?offset=now").from());
    assertEquals(new ReadFrom.At(Offset.at(7)), query("?offset=0000000000000000_0000000000000007").from());
    assertEquals(new ReadFrom.At(new Offset(9999999999999999L, 9999999999999999L)),
        query("?offset=9999999999999999_9999999999999999").from());
  }

  @ParameterizedTest
  @ValueSource(strings = {"?offset=", "?offset", "?offset=-1&offset=-1", "?offset=1,2", "?offset=1%2C2",
      "?offset=0_0%20", "?offset=%20", "?offset=..%2F..%2Fetc", "?offset=0_0%00", "?offset=0_0%0D%0A", "?offset=NOW",
      "?offset=-2", "?offset=1", "?offset=a_b"})
  void invalidOffsetsAreBadRequests(String q) {
    assertThrows(BadRequestException.class, () -> query(q));
  }

  @Test
  void liveModesAndCursorParseAndUnknownParametersAreIgnored() {
    var q = query("?foo=bar&cursor=123&live=long-poll&offset=-1");
    assertEquals(Headers.Live.LONG_POLL, q.live());
    assertEquals("123", q.cursor());
    assertEquals(Headers.Live.SSE, query("?live=sse").live());
    assertEquals(Headers.Live.CATCH_UP, query("?live=websocket").live());
    assertEquals(Headers.Live.CATCH_UP, query("").live());
  }

  @Test
  void ifNoneMatchMatchesExactTagsInAList() {
    String etag = "\"1:a:b\"";
    assertTrue(Headers.ifNoneMatchMatches(req("If-None-Match", etag), etag));
    assertTrue(Headers.ifNoneMatchMatches(req("If-None-Match", "\"x\", " + etag), etag));
    assertTrue(Headers.ifNoneMatchMatches(req("If-None-Match", "W/" + etag), etag));
    assertFalse(Headers.ifNoneMatchMatches(req("If-None-Match", "\"1:a:c\""), etag));
    assertFalse(Headers.ifNoneMatchMatches(req(), etag));
  }

  @Test
  void storedContentTypesRenderWithoutAnAddedCharset() {
    assertEquals("text/plain", Headers.contentType("text/plain").toString());
    assertEquals("application/json", Headers.contentType("application/json").toString());
    assertEquals("application/x-protobuf", Headers.contentType("application/x-protobuf").toString());
    assertEquals("text/plain; charset=UTF-8", Headers.contentType("text/plain; charset=UTF-8").toString());
    assertEquals("application/octet-stream", Headers.contentType(null).toString());
  }

  @Test
  void aRequestWithoutBodyOrContentTypeHasNoContentType() {
    assertNull(Headers.requestContentType(HttpRequest.POST("/v1/stream/x")));
    assertInstanceOf(String.class, Headers.requestContentType(HttpRequest.POST("/v1/stream/x")
        .withEntity(org.apache.pekko.http.javadsl.model.ContentTypes.APPLICATION_JSON, "{}")));
  }
}
