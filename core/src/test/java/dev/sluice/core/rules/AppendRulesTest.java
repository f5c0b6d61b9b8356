package dev.sluice.core.rules;

import static dev.sluice.core.rules.Fx.BIN;
import static dev.sluice.core.rules.Fx.JSON;
import static dev.sluice.core.rules.Fx.T0;
import static dev.sluice.core.rules.Fx.TEXT;
import static dev.sluice.core.rules.Fx.appended;
import static dev.sluice.core.rules.Fx.created;
import static dev.sluice.core.rules.Fx.events;
import static dev.sluice.core.rules.Fx.off;
import static dev.sluice.core.rules.Fx.post;
import static dev.sluice.core.rules.Fx.postSeq;
import static dev.sluice.core.rules.Fx.rejected;
import static dev.sluice.core.rules.Fx.reply;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.Bytes;
import dev.sluice.core.error.ErrorCode;
import dev.sluice.core.model.StreamEvent;
import dev.sluice.core.model.StreamState;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Checklist §4 append (plain, content type, Stream-Seq, JSON). */
class AppendRulesTest {

  @Test
  void appendToAMissingStreamIsNotFound() {
    assertEquals(ErrorCode.STREAM_NOT_FOUND, rejected(StreamRules.append(StreamState.EMPTY, post(TEXT, "x"), T0)).code());
  }

  @Test
  void appendToASoftDeletedStreamIsGone() {
    StreamState s = created(TEXT).apply(new StreamEvent.ForkAdded("/f")).apply(new StreamEvent.SoftDeleted(T0));
    assertEquals(ErrorCode.STREAM_GONE, rejected(StreamRules.append(s, post(TEXT, "x"), T0)).code());
  }

  @Test
  void aPlainAppendWritesOneUnitAtTheTailAndReturnsTheNewTail() {
    StreamState s = created(TEXT);
    var d = StreamRules.append(s, post(TEXT, "hello"), T0 + 5);
    assertEquals(List.of(StreamEvent.Appended.of(1, 0, Bytes.utf8("hello"), null, null, null, null, false, T0 + 5)), events(d));
    var r = reply(d);
    assertEquals(off(5), r.nextOffset());
    assertFalse(r.closed());
    assertFalse(r.duplicate());
    assertNull(r.producerEpoch());
    assertNull(r.producerSeq());
    assertEquals(5, Fx.applyAll(s, d).tail());
  }

  @Test
  void successiveAppendsReturnStrictlyIncreasingOffsetsInStringOrder() {
    StreamState s = created(BIN);
    String prev = s.tailOffset().format();
    for (String body : new String[] {"a", "bcdefghij", "k", "0123456789012345678901234567890123456789"}) {
      var r = reply(StreamRules.append(s, post(BIN, body), T0));
      assertTrue(prev.compareTo(r.nextOffset().format()) < 0);
      prev = r.nextOffset().format();
      s = appended(s, post(BIN, body));
      assertEquals(r.nextOffset(), s.tailOffset());
    }
  }

  @Test
  void concurrentStyleAppendsWithoutSeqAllPersist() {
    StreamState s = created(TEXT);
    for (int i = 0; i < 10; i++) s = appended(s, post(TEXT, "m" + i));
    assertEquals(20, s.tail());
  }

  // ------------------------------------------------------------ content type

  @Test
  void aDifferentContentTypeIsAMismatch() {
    assertEquals(ErrorCode.CONTENT_TYPE_MISMATCH, rejected(StreamRules.append(created(TEXT), post(JSON, "1"), T0)).code());
    assertEquals(ErrorCode.CONTENT_TYPE_MISMATCH, rejected(StreamRules.append(created(BIN), post(TEXT, "x"), T0)).code());
  }

  @ParameterizedTest
  @ValueSource(strings = {"TEXT/PLAIN", "text/plain; charset=utf-8", "Text/Plain;charset=ISO-8859-1"})
  void contentTypeComparisonIsCaseInsensitiveAndIgnoresParameters(String ct) {
    reply(StreamRules.append(created(TEXT), post(ct, "x"), T0));
  }

  @Test
  void aJsonStreamAcceptsJsonWithCharset() {
    var r = reply(StreamRules.append(created(JSON), post("application/json; charset=utf-8", "[1,2]"), T0));
    assertEquals(off(3), r.nextOffset()); // "1,2"
  }

  // ------------------------------------------------------------ JSON

  @Test
  void aJsonAppendStoresTheFlattenedCompactUnit() {
    var d = StreamRules.append(created(JSON), post(JSON, "[ {\"a\" : 1} , [2, 3] ]"), T0);
    var ev = (StreamEvent.Appended) events(d).get(0);
    assertEquals("{\"a\":1},[2,3]", ev.data().utf8String());
  }

  @Test
  void aJsonAppendOfAnEmptyArrayIsRejected() {
    assertEquals(ErrorCode.EMPTY_JSON_ARRAY, rejected(StreamRules.append(created(JSON), post(JSON, "[]"), T0)).code());
  }

  @Test
  void aJsonAppendOfAnEmptyArrayIsRejectedEvenWithProducerHeaders() {
    var d = StreamRules.append(created(JSON), post(JSON, "[]", Fx.p("p", 0, 0)), T0);
    assertEquals(ErrorCode.EMPTY_JSON_ARRAY, rejected(d).code());
  }

  @ParameterizedTest
  @ValueSource(strings = {"{", "[1,2", "{\"a\":1} x", "abc"})
  void aJsonAppendOfInvalidJsonIsRejected(String body) {
    assertEquals(ErrorCode.INVALID_JSON, rejected(StreamRules.append(created(JSON), post(JSON, body), T0)).code());
  }

  @ParameterizedTest
  @ValueSource(strings = {"1", "\"s\"", "null", "true", "{}", "[[]]", "3.25"})
  void anyJsonValueTypeIsAccepted(String body) {
    reply(StreamRules.append(created(JSON), post(JSON, body), T0));
  }

  // ------------------------------------------------------------ Stream-Seq

  @ParameterizedTest
  @CsvSource({
    "1, 2",
    "09, 10",
    "a, b",
    "B, a",
    "A, a",
    "abc, abd",
    "abc, abcd",
    "9, a",
    "z, \u00e9",
    "\u00e9, \u00ea",
    "\uFF5E, \uD83D\uDE00", // U+FF5E < U+1F600 in UTF-8 bytes, though not in UTF-16 code units
  })
  void aStreamSeqGreaterInUtf8ByteOrderIsAccepted(String first, String second) {
    StreamState s = appended(created(TEXT), postSeq(TEXT, "x", first));
    assertEquals(first, s.lastStreamSeq());
    s = appended(s, postSeq(TEXT, "y", second));
    assertEquals(second, s.lastStreamSeq());
  }

  @ParameterizedTest
  @CsvSource({
    "2, 10",
    "a, B",
    "a, A",
    "b, a",
    "abd, abc",
    "abcd, abc",
    "5, 5",
    "a, a",
    "\u00e9, z",
    "\uD83D\uDE00, \uFF5E",
  })
  void aStreamSeqNotGreaterInUtf8ByteOrderIsAConflict(String first, String second) {
    StreamState s = appended(created(TEXT), postSeq(TEXT, "x", first));
    assertEquals(ErrorCode.SEQ_CONFLICT, rejected(StreamRules.append(s, postSeq(TEXT, "y", second), T0)).code());
  }

  @Test
  void compareUtf8IsByteWiseUnsigned() {
    assertTrue(StreamRules.compareUtf8("2", "10") > 0);
    assertTrue(StreamRules.compareUtf8("09", "10") < 0);
    assertTrue(StreamRules.compareUtf8("a", "B") > 0);
    assertTrue(StreamRules.compareUtf8("\u007F", "\u0080") < 0); // 0x7F < 0xC2 unsigned
    assertTrue(StreamRules.compareUtf8("\uFF5E", "\uD83D\uDE00") < 0);
    assertTrue("\uFF5E".compareTo("\uD83D\uDE00") > 0); // UTF-16 order would differ
    assertEquals(0, StreamRules.compareUtf8("same", "same"));
  }

  @Test
  void theFirstStreamSeqIsAlwaysAccepted() {
    reply(StreamRules.append(created(TEXT), postSeq(TEXT, "x", "0"), T0));
    reply(StreamRules.append(created(TEXT), postSeq(TEXT, "x", ""), T0));
  }

  @Test
  void appendsWithoutStreamSeqNeitherCheckNorResetIt() {
    StreamState s = appended(created(TEXT), postSeq(TEXT, "x", "5"));
    s = appended(s, post(TEXT, "no seq"));
    assertEquals("5", s.lastStreamSeq());
    assertEquals(ErrorCode.SEQ_CONFLICT, rejected(StreamRules.append(s, postSeq(TEXT, "y", "4"), T0)).code());
  }

  @Test
  void aRejectedAppendDoesNotStoreItsStreamSeq() {
    StreamState s = appended(created(JSON), postSeq(JSON, "1", "3"));
    // Stream-Seq "5" passes the seq check but the body is invalid: nothing may be stored.
    assertEquals(ErrorCode.INVALID_JSON, rejected(StreamRules.append(s, postSeq(JSON, "{", "5"), T0)).code());
    assertEquals("3", s.lastStreamSeq());
    s = appended(s, postSeq(JSON, "2", "4"));
    assertEquals("4", s.lastStreamSeq());
  }

  @Test
  void theStreamSeqIsRecordedOnTheAppendedEvent() {
    var ev = (StreamEvent.Appended) events(StreamRules.append(created(TEXT), postSeq(TEXT, "x", "007"), T0)).get(0);
    assertEquals("007", ev.streamSeq());
  }
}
