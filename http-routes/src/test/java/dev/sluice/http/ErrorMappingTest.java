package dev.sluice.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.sluice.actors.api.StreamRejectedException;
import dev.sluice.actors.api.StreamUnavailableException;
import dev.sluice.core.error.ErrorCode;
import dev.sluice.core.error.Rejection;
import dev.sluice.core.protocol.Offset;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.scaladsl.model.EntityStreamException;
import org.apache.pekko.http.scaladsl.model.ErrorInfo;
import org.apache.pekko.http.scaladsl.model.IllegalHeaderException;
import org.apache.pekko.http.scaladsl.model.IllegalRequestException;
import org.apache.pekko.http.scaladsl.model.ParsingException;
import org.apache.pekko.http.scaladsl.model.StatusCodes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/** The one ErrorCode -> status mapping and the headers rejections carry (checklist §16). */
class ErrorMappingTest {
  @ParameterizedTest
  @CsvSource({
      "STREAM_NOT_FOUND, 404", "FORK_SOURCE_NOT_FOUND, 404", "STREAM_GONE, 410", "CONFIG_MISMATCH, 409",
      "STREAM_SOFT_DELETED, 409", "FORK_SOURCE_SOFT_DELETED, 409", "CONTENT_TYPE_MISMATCH, 409", "STREAM_CLOSED, 409",
      "SEQ_CONFLICT, 409", "PRODUCER_SEQ_GAP, 409", "PRODUCER_EPOCH_STALE, 403", "PRODUCER_EPOCH_SEQ_NOT_ZERO, 400",
      "INVALID_JSON, 400", "EMPTY_JSON_ARRAY, 400", "FORK_OFFSET_BEYOND_TAIL, 400", "FORK_SUB_OFFSET_INVALID, 400",
      "BAD_REQUEST, 400", "PAYLOAD_TOO_LARGE, 413"})
  void everyCodeHasItsStatus(ErrorCode code, int status) {
    assertEquals(status, ErrorMapping.statusOf(code).intValue());
  }

  @ParameterizedTest
  @EnumSource(ErrorCode.class)
  void everyRejectionRendersAShortPlainTextBody(ErrorCode code) {
    HttpResponse r = ErrorMapping.rejection(Rejection.of(code, "why"));
    assertEquals(ErrorMapping.statusOf(code), r.status());
    assertEquals("text/plain; charset=UTF-8", r.entity().getContentType().toString());
  }

  private static Optional<String> header(HttpResponse r, String name) {
    return r.getHeader(name).map(HttpHeader::value);
  }

  @Test
  void closedRejectionCarriesStreamClosedAndTheFinalOffset() {
    HttpResponse r = ErrorMapping.rejection(Rejection.closed(Offset.at(12)));
    assertEquals(409, r.status().intValue());
    assertEquals(Optional.of("true"), header(r, "Stream-Closed"));
    assertEquals(Optional.of("0000000000000000_0000000000000012"), header(r, "Stream-Next-Offset"));
  }

  @Test
  void staleEpochCarriesTheCurrentEpoch() {
    HttpResponse r = ErrorMapping.rejection(Rejection.staleEpoch(4));
    assertEquals(403, r.status().intValue());
    assertEquals(Optional.of("4"), header(r, "Producer-Epoch"));
    assertFalse(header(r, "Stream-Closed").isPresent());
  }

  @Test
  void seqGapCarriesExpectedAndReceived() {
    HttpResponse r = ErrorMapping.rejection(Rejection.seqGap(3, 7));
    assertEquals(409, r.status().intValue());
    assertEquals(Optional.of("3"), header(r, "Producer-Expected-Seq"));
    assertEquals(Optional.of("7"), header(r, "Producer-Received-Seq"));
  }

  @Test
  void failuresAreUnwrappedAndClassified() {
    var rejected = new CompletionException(new StreamRejectedException(Rejection.of(ErrorCode.STREAM_GONE, "gone")));
    assertEquals(410, ErrorMapping.toResponse(rejected, null).status().intValue());
    HttpResponse unavailable = ErrorMapping.toResponse(new CompletionException(new StreamUnavailableException("x", null)), null);
    assertEquals(503, unavailable.status().intValue());
    assertEquals(Optional.of("1"), header(unavailable, "Retry-After"));
    assertEquals(400, ErrorMapping.toResponse(new BadRequestException("bad"), null).status().intValue());
    assertEquals(500, ErrorMapping.toResponse(new IllegalStateException("bug"), null).status().intValue());
  }

  @Test
  void requestParsingFailuresAreClientErrors() {
    var truncated = new EntityStreamException(new ErrorInfo("Entity stream truncation", ""));
    assertEquals(400, ErrorMapping.toResponse(new CompletionException(truncated), null).status().intValue());
    var illegal = new IllegalRequestException(new ErrorInfo("too long", ""), StatusCodes.UriTooLong());
    assertEquals(414, ErrorMapping.toResponse(illegal, null).status().intValue());
    assertEquals(400, ErrorMapping.toResponse(new IllegalHeaderException(new ErrorInfo("bad", "")), null).status().intValue());
    assertEquals(400, ErrorMapping.toResponse(new ParsingException(new ErrorInfo("bad", "")), null).status().intValue());
  }
}
