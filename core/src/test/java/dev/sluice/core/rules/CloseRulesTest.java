package dev.sluice.core.rules;

import static dev.sluice.core.rules.Fx.T0;
import static dev.sluice.core.rules.Fx.TEXT;
import static dev.sluice.core.rules.Fx.appendAndClose;
import static dev.sluice.core.rules.Fx.appended;
import static dev.sluice.core.rules.Fx.closeOnly;
import static dev.sluice.core.rules.Fx.created;
import static dev.sluice.core.rules.Fx.events;
import static dev.sluice.core.rules.Fx.off;
import static dev.sluice.core.rules.Fx.p;
import static dev.sluice.core.rules.Fx.post;
import static dev.sluice.core.rules.Fx.rejected;
import static dev.sluice.core.rules.Fx.reply;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.Bytes;
import dev.sluice.core.error.ErrorCode;
import dev.sluice.core.error.Rejection;
import dev.sluice.core.model.StreamEvent;
import dev.sluice.core.model.StreamState;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Checklist §6 close. */
class CloseRulesTest {

  private static StreamState textWith(String data) {
    return appended(created(TEXT), post(TEXT, data));
  }

  private static void assertClosedConflict(StreamState s, Commands.Append a) {
    Rejection r = rejected(StreamRules.append(s, a, T0));
    assertEquals(ErrorCode.STREAM_CLOSED, r.code());
    assertTrue(r.closed(), "carries Stream-Closed: true");
    assertEquals(s.tailOffset(), r.nextOffset(), "carries Stream-Next-Offset: <final>");
  }

  @Test
  void closeOnlyClosesWithoutMovingTheTail() {
    StreamState s = textWith("hello");
    var d = StreamRules.append(s, closeOnly(), T0 + 1);
    assertEquals(List.of(new StreamEvent.Closed(null, null, null, null, T0 + 1)), events(d));
    var r = reply(d);
    assertEquals(off(5), r.nextOffset());
    assertTrue(r.closed());
    assertFalse(r.duplicate());
    StreamState after = Fx.applyAll(s, d);
    assertTrue(after.closed());
    assertEquals(5, after.tail());
    assertNull(after.closedByProducer());
  }

  @ParameterizedTest
  @ValueSource(strings = {"image/png", "application/json", "TEXT/PLAIN"})
  void closeOnlyIgnoresTheContentType(String ct) {
    reply(StreamRules.append(textWith("x"), closeOnly(ct, null), T0));
  }

  @Test
  void closeOnlyWithoutAContentTypeIsAccepted() {
    reply(StreamRules.append(textWith("x"), closeOnly(null, null), T0));
  }

  @Test
  void closeOnlyIsIdempotent() {
    StreamState s = appended(textWith("hello"), closeOnly());
    var d = StreamRules.append(s, closeOnly(), T0);
    assertTrue(events(d).isEmpty());
    var r = reply(d);
    assertTrue(r.closed());
    assertEquals(off(5), r.nextOffset());
  }

  @Test
  void appendToAClosedStreamIsRejectedWithTheFinalOffset() {
    StreamState s = appended(textWith("hello"), closeOnly());
    assertClosedConflict(s, post(TEXT, "more"));
  }

  @Test
  void appendAndCloseOnAClosedStreamIsNotIdempotentWithoutProducerHeaders() {
    StreamState s = appended(textWith("hello"), appendAndClose(TEXT, "bye", null));
    assertClosedConflict(s, appendAndClose(TEXT, "bye", null));
  }

  @Test
  void appendAndCloseAppendsAndClosesInOneEvent() {
    StreamState s = textWith("hello");
    var d = StreamRules.append(s, appendAndClose(TEXT, "bye", null), T0);
    assertEquals(List.of(StreamEvent.Appended.of(1, 5, Bytes.utf8("bye"), null, null, null, null, true, T0)), events(d));
    var r = reply(d);
    assertTrue(r.closed());
    assertEquals(off(8), r.nextOffset());
    StreamState after = Fx.applyAll(s, d);
    assertTrue(after.closed());
    assertEquals(8, after.tail());
  }

  @Test
  void producerAppendAndCloseEchoesProducerFieldsAndRecordsTheCloser() {
    StreamState s = textWith("hello");
    var d = StreamRules.append(s, appendAndClose(TEXT, "bye", p("p", 2, 0)), T0);
    var r = reply(d);
    assertTrue(r.closed());
    assertEquals(2L, r.producerEpoch());
    assertEquals(0L, r.producerSeq());
    StreamState after = Fx.applyAll(s, d);
    assertEquals("p", after.closedByProducer());
    assertEquals(2L, after.closedByEpoch());
    assertEquals(0L, after.closedBySeq());
  }

  @Test
  void producerCloseOnlyConsumesASeq() {
    StreamState s = appended(created(TEXT), post(TEXT, "a", p("p", 0, 0)));
    var d = StreamRules.append(s, closeOnly(TEXT, p("p", 0, 1)), T0);
    assertEquals(List.of(new StreamEvent.Closed("p", 0L, 1L, null, T0)), events(d));
    var r = reply(d);
    assertTrue(r.closed());
    assertFalse(r.duplicate());
    assertEquals(0L, r.producerEpoch());
    assertEquals(1L, r.producerSeq());
    StreamState after = Fx.applyAll(s, d);
    assertEquals(1L, after.producers().get("p").lastSeq());
    assertEquals("p", after.closedByProducer());
    assertEquals(1L, after.closedBySeq());
  }

  @Test
  void producerCloseOnlyWithAGapIsAGap() {
    StreamState s = appended(created(TEXT), post(TEXT, "a", p("p", 0, 0)));
    Rejection r = rejected(StreamRules.append(s, closeOnly(TEXT, p("p", 0, 3)), T0));
    assertEquals(ErrorCode.PRODUCER_SEQ_GAP, r.code());
    assertEquals(1L, r.expectedSeq());
  }

  private static StreamState closedByProducerCloseOnly() {
    StreamState s = appended(created(TEXT), post(TEXT, "a", p("p", 0, 0)));
    return appended(s, closeOnly(TEXT, p("p", 0, 1)));
  }

  @Test
  void aRetriedProducerCloseIsADuplicate() {
    StreamState s = closedByProducerCloseOnly();
    var d = StreamRules.append(s, closeOnly(TEXT, p("p", 0, 1)), T0);
    assertTrue(events(d).isEmpty());
    var r = reply(d);
    assertTrue(r.duplicate());
    assertTrue(r.closed());
    assertEquals(0L, r.producerEpoch());
    assertEquals(1L, r.producerSeq());
    assertEquals(off(1), r.nextOffset());
  }

  @Test
  void aRetriedProducerCloseIsADuplicateEvenWithADifferentBody() {
    StreamState s = closedByProducerCloseOnly();
    var d = StreamRules.append(s, appendAndClose(TEXT, "a different body", p("p", 0, 1)), T0);
    assertTrue(events(d).isEmpty(), "the original body is kept");
    assertTrue(reply(d).duplicate());
    assertTrue(reply(d).closed());
  }

  @Test
  void aRetriedProducerAppendAndCloseIsADuplicateEvenWithADifferentBody() {
    StreamState s = appended(created(TEXT), appendAndClose(TEXT, "final", p("p", 0, 0)));
    var d = StreamRules.append(s, appendAndClose(TEXT, "other", p("p", 0, 0)), T0);
    assertTrue(events(d).isEmpty());
    var r = reply(d);
    assertTrue(r.duplicate());
    assertTrue(r.closed());
    assertEquals(off(5), r.nextOffset());
  }

  @Test
  void aDifferentProducerAfterCloseIsAClosedConflict() {
    StreamState s = closedByProducerCloseOnly();
    assertClosedConflict(s, closeOnly(TEXT, p("q", 0, 0)));
    assertClosedConflict(s, post(TEXT, "x", p("q", 0, 0)));
  }

  @ParameterizedTest
  @ValueSource(longs = {0, 2, 3})
  void theSameProducerWithAnotherSeqAfterCloseIsAClosedConflict(long seq) {
    StreamState s = closedByProducerCloseOnly();
    assertClosedConflict(s, closeOnly(TEXT, p("p", 0, seq)));
    assertClosedConflict(s, post(TEXT, "x", p("p", 0, seq)));
  }

  @Test
  void aNewerEpochAfterCloseIsAClosedConflict() {
    assertClosedConflict(closedByProducerCloseOnly(), post(TEXT, "x", p("p", 1, 0)));
  }

  @Test
  void aStaleEpochAfterCloseIsFencedWithTheCurrentEpoch() {
    StreamState s = appended(created(TEXT), post(TEXT, "a", p("p", 0, 0)));
    s = appended(s, closeOnly(TEXT, p("p", 1, 0)));
    for (var a : List.of(closeOnly(TEXT, p("p", 0, 1)), post(TEXT, "x", p("p", 0, 1)), closeOnly(TEXT, p("p", 0, 0)))) {
      Rejection r = rejected(StreamRules.append(s, a, T0));
      assertEquals(ErrorCode.PRODUCER_EPOCH_STALE, r.code(), a.toString());
      assertEquals(1L, r.producerEpoch());
    }
  }

  @Test
  void aPlainCloseOnlyAfterAProducerCloseIsStillIdempotent() {
    StreamState s = closedByProducerCloseOnly();
    var r = reply(StreamRules.append(s, closeOnly(), T0));
    assertTrue(r.closed());
    assertFalse(r.duplicate());
  }

  @Test
  void aProducerAppendToAStreamClosedWithoutProducerIsAClosedConflict() {
    StreamState s = appended(textWith("x"), closeOnly());
    assertClosedConflict(s, post(TEXT, "y", p("p", 0, 0)));
    assertClosedConflict(s, closeOnly(TEXT, p("p", 0, 0)));
  }

  @Test
  void aClosedStreamStaysReadable() {
    StreamState s = appended(textWith("x"), closeOnly());
    assertNull(StreamRules.checkReadable(s));
    assertTrue(StreamRules.info(s).closed());
    assertEquals(off(1), StreamRules.info(s).tail());
  }

  @Test
  void closeOnlyRecordsItsStreamSeq() {
    StreamState s = textWith("x");
    s = appended(s, new Commands.Append(null, Payload.EMPTY, true, "7", null));
    assertEquals("7", s.lastStreamSeq());
  }
}
