package dev.sluice.core.rules;

import static dev.sluice.core.rules.Fx.JSON;
import static dev.sluice.core.rules.Fx.T0;
import static dev.sluice.core.rules.Fx.TEXT;
import static dev.sluice.core.rules.Fx.appended;
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
import dev.sluice.core.model.ProducerState;
import dev.sluice.core.model.StreamEvent;
import dev.sluice.core.model.StreamState;
import dev.sluice.core.protocol.ProducerClaim;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Checklist §5 idempotent producers: the full validation table. */
class ProducerRulesTest {

  /** A text stream where producer "p" has accepted seqs 0..lastSeq in {@code epoch}. */
  private static StreamState withProducer(long epoch, long lastSeq) {
    StreamState s = created(TEXT);
    for (long seq = 0; seq <= lastSeq; seq++) s = appended(s, post(TEXT, "m", p("p", epoch, seq)));
    assertEquals(new ProducerState(epoch, lastSeq, T0), s.producers().get("p"));
    return s;
  }

  // ------------------------------------------------------------ new producer

  @ParameterizedTest
  @ValueSource(longs = {0, 1, 7, ProducerClaim.MAX_SAFE_INTEGER})
  void aNewProducerWithSeqZeroIsAcceptedAtAnyEpoch(long epoch) {
    StreamState s = created(TEXT);
    var d = StreamRules.append(s, post(TEXT, "abc", p("p", epoch, 0)), T0);
    var r = reply(d);
    assertEquals(off(3), r.nextOffset());
    assertFalse(r.duplicate());
    assertEquals(epoch, r.producerEpoch());
    assertEquals(0L, r.producerSeq());
    assertEquals(List.of(StreamEvent.Appended.of(1, 0, Bytes.utf8("abc"), "p", epoch, 0L, null, false, T0)), events(d));
    assertEquals(new ProducerState(epoch, 0, T0), Fx.applyAll(s, d).producers().get("p"));
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 100})
  void aNewProducerWithNonZeroSeqIsAGapExpectingZero(long seq) {
    Rejection r = rejected(StreamRules.append(created(TEXT), post(TEXT, "x", p("p", 0, seq)), T0));
    assertEquals(ErrorCode.PRODUCER_SEQ_GAP, r.code());
    assertEquals(0L, r.expectedSeq());
    assertEquals(seq, r.receivedSeq());
  }

  // ------------------------------------------------------------ same epoch

  @Test
  void theNextSeqInTheSameEpochIsAccepted() {
    StreamState s = withProducer(2, 3);
    var r = reply(StreamRules.append(s, post(TEXT, "x", p("p", 2, 4)), T0));
    assertFalse(r.duplicate());
    assertEquals(2L, r.producerEpoch());
    assertEquals(4L, r.producerSeq());
    assertEquals(off(5), r.nextOffset());
  }

  @ParameterizedTest
  @ValueSource(longs = {0, 1, 2, 3})
  void aRetryOfAnAcceptedSeqIsADuplicateReportingTheHighestAcceptedSeq(long retried) {
    StreamState s = withProducer(0, 3);
    var d = StreamRules.append(s, post(TEXT, "retry body", p("p", 0, retried)), T0);
    assertTrue(events(d).isEmpty(), "a duplicate writes nothing");
    var r = reply(d);
    assertTrue(r.duplicate());
    assertEquals(0L, r.producerEpoch());
    assertEquals(3L, r.producerSeq(), "Producer-Seq is the highest accepted seq, not the request's");
    assertEquals(s.tailOffset(), r.nextOffset());
    assertFalse(r.closed());
  }

  @ParameterizedTest
  @ValueSource(longs = {5, 6, 1000})
  void aSeqBeyondTheNextIsAGapWithExpectedAndReceived(long seq) {
    Rejection r = rejected(StreamRules.append(withProducer(0, 3), post(TEXT, "x", p("p", 0, seq)), T0));
    assertEquals(ErrorCode.PRODUCER_SEQ_GAP, r.code());
    assertEquals(4L, r.expectedSeq());
    assertEquals(seq, r.receivedSeq());
    assertNull(r.producerEpoch());
  }

  // ------------------------------------------------------------ epochs

  @ParameterizedTest
  @ValueSource(longs = {0, 1, 4, 5})
  void appendWithStaleEpochIsRejectedWithTheCurrentEpoch(long seq) {
    StreamState s = withProducer(3, 4);
    Rejection r = rejected(StreamRules.append(s, post(TEXT, "x", p("p", 2, seq)), T0));
    assertEquals(ErrorCode.PRODUCER_EPOCH_STALE, r.code());
    assertEquals(3L, r.producerEpoch());
  }

  @Test
  void aNewEpochWithSeqZeroIsAcceptedAndResetsTheSequence() {
    StreamState s = withProducer(0, 5);
    var r = reply(StreamRules.append(s, post(TEXT, "x", p("p", 1, 0)), T0));
    assertEquals(1L, r.producerEpoch());
    assertEquals(0L, r.producerSeq());
    assertFalse(r.duplicate());
    s = appended(s, post(TEXT, "x", p("p", 1, 0)));
    assertEquals(new ProducerState(1, 0, T0), s.producers().get("p"));
    // The old epoch is now fenced; the new one continues at seq 1.
    assertEquals(1L, rejected(StreamRules.append(s, post(TEXT, "x", p("p", 0, 6)), T0)).producerEpoch());
    assertTrue(reply(StreamRules.append(s, post(TEXT, "x", p("p", 1, 0)), T0)).duplicate());
    assertFalse(reply(StreamRules.append(s, post(TEXT, "x", p("p", 1, 1)), T0)).duplicate());
  }

  @Test
  void aNewEpochMayJumpAheadByMoreThanOne() {
    StreamState s = withProducer(0, 0);
    assertEquals(9L, reply(StreamRules.append(s, post(TEXT, "x", p("p", 9, 0)), T0)).producerEpoch());
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 6, 7})
  void aNewEpochWithNonZeroSeqIsRejectedWithEpochSeqNotZero(long seq) {
    Rejection r = rejected(StreamRules.append(withProducer(0, 5), post(TEXT, "x", p("p", 1, seq)), T0));
    assertEquals(ErrorCode.PRODUCER_EPOCH_SEQ_NOT_ZERO, r.code());
  }

  @Test
  void epochRollbackAfterAutoClaimIsFenced() {
    StreamState s = withProducer(0, 2);
    s = appended(s, post(TEXT, "x", p("p", 1, 0))); // another instance claimed epoch 1
    for (long seq : new long[] {0, 3, 4}) {
      Rejection r = rejected(StreamRules.append(s, post(TEXT, "zombie", p("p", 0, seq)), T0));
      assertEquals(ErrorCode.PRODUCER_EPOCH_STALE, r.code());
      assertEquals(1L, r.producerEpoch());
    }
  }

  // ------------------------------------------------------------ independence and commit

  @Test
  void producersAreIndependentAndMayInterleave() {
    StreamState s = created(TEXT);
    s = appended(s, post(TEXT, "a", p("A", 0, 0)));
    s = appended(s, post(TEXT, "b", p("B", 5, 0)));
    s = appended(s, post(TEXT, "a", p("A", 0, 1)));
    s = appended(s, post(TEXT, "b", p("B", 5, 1)));
    s = appended(s, post(TEXT, "b", p("B", 6, 0)));
    assertEquals(new ProducerState(0, 1, T0), s.producers().get("A"));
    assertEquals(new ProducerState(6, 0, T0), s.producers().get("B"));
    // A is not fenced by B's epoch, and B's seq does not affect A's.
    assertFalse(reply(StreamRules.append(s, post(TEXT, "a", p("A", 0, 2)), T0)).duplicate());
    assertTrue(reply(StreamRules.append(s, post(TEXT, "a", p("A", 0, 1)), T0)).duplicate());
    // A third producer starts fresh.
    assertEquals(0L, rejected(StreamRules.append(s, post(TEXT, "c", p("C", 0, 2)), T0)).expectedSeq());
  }

  @Test
  void producerIdsAreCaseSensitive() {
    StreamState s = withProducer(0, 3);
    Rejection r = rejected(StreamRules.append(s, post(TEXT, "x", p("P", 0, 1)), T0));
    assertEquals(ErrorCode.PRODUCER_SEQ_GAP, r.code());
    assertEquals(0L, r.expectedSeq());
  }

  @Test
  void aRequestFailingJsonValidationDoesNotAdvanceProducerState() {
    StreamState s = appended(created(JSON), post(JSON, "1", p("p", 0, 0)));
    assertEquals(ErrorCode.INVALID_JSON, rejected(StreamRules.append(s, post(JSON, "{", p("p", 0, 1)), T0)).code());
    assertEquals(ErrorCode.EMPTY_JSON_ARRAY, rejected(StreamRules.append(s, post(JSON, "[]", p("p", 0, 1)), T0)).code());
    // seq 1 is still the next one: not a duplicate, not a gap.
    var r = reply(StreamRules.append(s, post(JSON, "2", p("p", 0, 1)), T0));
    assertFalse(r.duplicate());
    assertEquals(1L, r.producerSeq());
  }

  @Test
  void aDuplicateWritesNoDataEvenWithAnotherBodyOnAJsonStream() {
    StreamState s = appended(created(JSON), post(JSON, "[1,2]", p("p", 0, 0)));
    var d = StreamRules.append(s, post(JSON, "[3,4,5]", p("p", 0, 0)), T0);
    assertTrue(events(d).isEmpty());
    assertTrue(reply(d).duplicate());
    assertEquals(off(3), reply(d).nextOffset());
  }

  @Test
  void producerDedupeRunsBeforeTheStreamSeqCheck() {
    StreamState s = appended(created(TEXT), post(TEXT, "x", "5", p("p", 0, 0)));
    assertEquals("5", s.lastStreamSeq());
    var r = reply(StreamRules.append(s, post(TEXT, "x", "5", p("p", 0, 0)), T0));
    assertTrue(r.duplicate(), "a retry with the same producer tuple and Stream-Seq is a duplicate, not a 409");
  }

  @Test
  void theNextProducerSeqWithARegressedStreamSeqIsAConflict() {
    StreamState s = appended(created(TEXT), post(TEXT, "x", "5", p("p", 0, 0)));
    assertEquals(ErrorCode.SEQ_CONFLICT, rejected(StreamRules.append(s, post(TEXT, "y", "5", p("p", 0, 1)), T0)).code());
  }

  @Test
  void producerStateRecordsTheTimeOfTheLastAcceptedRequest() {
    StreamState s = Fx.appended(created(TEXT), post(TEXT, "x", p("p", 0, 0)), T0 + 1234);
    assertEquals(T0 + 1234, s.producers().get("p").lastUpdatedMillis());
  }
}
