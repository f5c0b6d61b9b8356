package dev.sluice.core.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

/** Checklist §2 "Content-Type", §4 mismatch, §11 binary SSE, §12 JSON mode. */
class ContentTypesTest {

  @Test
  void defaultIsOctetStream() {
    assertEquals("application/octet-stream", ContentTypes.DEFAULT);
    assertEquals("application/json", ContentTypes.JSON);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
    "application/json|application/json",
    "APPLICATION/JSON|application/json",
    "Application/Json|application/json",
    "application/json; charset=utf-8|application/json",
    "application/json;charset=UTF-8|application/json",
    "'  Text/Plain ; charset=UTF-8'|text/plain",
    "application/json;|application/json",
    "application/json ; a=b; c=d|application/json",
    "text/plain; charset=\"utf-8\"|text/plain",
  })
  void normalizeLowercasesAndDropsParameters(String raw, String expected) {
    assertEquals(expected, ContentTypes.normalize(raw));
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {"   ", ";charset=utf-8", " ; a=b"})
  void normalizeOfAbsentOrBlankMediaTypeIsNull(String raw) {
    assertNull(ContentTypes.normalize(raw));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
    "application/json|APPLICATION/JSON",
    "application/json|application/json; charset=utf-8",
    "TEXT/PLAIN|text/plain",
    "text/plain; charset=utf-8|Text/Plain;charset=ISO-8859-1",
  })
  void sameTypeIsCaseInsensitiveAndIgnoresParameters(String a, String b) {
    assertTrue(ContentTypes.sameType(a, b));
    assertTrue(ContentTypes.sameType(b, a));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
    "application/json|text/plain",
    "application/json|application/jsonx",
    "text/plain|text/html",
    "application/octet-stream|application/json",
  })
  void differentMediaTypesAreNotTheSame(String a, String b) {
    assertFalse(ContentTypes.sameType(a, b));
  }

  @Test
  void absentContentTypesAreNeverTheSame() {
    assertFalse(ContentTypes.sameType(null, null));
    assertFalse(ContentTypes.sameType(null, "text/plain"));
    assertFalse(ContentTypes.sameType("text/plain", null));
    assertFalse(ContentTypes.sameType("", ""));
  }

  @ParameterizedTest
  @ValueSource(strings = {"application/json", "APPLICATION/JSON", "application/json; charset=utf-8", " application/json "})
  void jsonModeAppliesToApplicationJsonWithAnyCaseAndParameters(String ct) {
    assertTrue(ContentTypes.isJson(ct));
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {"text/json", "application/jsonx", "application/ld+json", "application/json-seq", "application/x-ndjson", "text/plain"})
  void otherTypesAreNotJsonMode(String ct) {
    assertFalse(ContentTypes.isJson(ct));
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "text/plain", "TEXT/PLAIN", "text/html", "text/event-stream", "text/csv; charset=utf-8",
    "application/json", "Application/JSON; charset=utf-8",
  })
  void textAndJsonAreSentAsSseText(String ct) {
    assertTrue(ContentTypes.isSseText(ct));
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {
    "application/octet-stream", "application/x-protobuf", "image/png", "application/ld+json",
    "application/xml", "texts/plain", "application/text",
  })
  void everythingElseIsSentAsBase64(String ct) {
    assertFalse(ContentTypes.isSseText(ct));
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "text/plain", "application/json; charset=utf-8", "APPLICATION/X-PROTOBUF", "application/vnd.api+json", " image/png ",
  })
  void wellFormedMediaTypesAreRecognized(String ct) {
    assertTrue(ContentTypes.isWellFormed(ct));
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {
    "   ", "text", "text/", "/plain", "/", "text/plain/extra", "text /plain", "text/ plain", "te xt/plain",
    ";charset=utf-8", "text\t/plain",
  })
  void malformedMediaTypesCountAsAbsent(String ct) {
    assertFalse(ContentTypes.isWellFormed(ct));
  }
}
