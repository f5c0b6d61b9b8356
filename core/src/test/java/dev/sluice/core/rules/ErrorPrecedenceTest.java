package dev.sluice.core.rules;

import static dev.sluice.core.rules.Fx.JSON;
import static dev.sluice.core.rules.Fx.T0;
import static dev.sluice.core.rules.Fx.TEXT;
import static dev.sluice.core.rules.Fx.appended;
import static dev.sluice.core.rules.Fx.closeOnly;
import static dev.sluice.core.rules.Fx.created;
import static dev.sluice.core.rules.Fx.p;
import static dev.sluice.core.rules.Fx.post;
import static dev.sluice.core.rules.Fx.rejected;
import static dev.sluice.core.rules.Fx.reply;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.error.ErrorCode;
import dev.sluice.core.model.StreamEvent;
import dev.sluice.core.model.StreamState;
import org.junit.jupiter.api.Test;

/**
 * Checklist §4 "Error precedence": 404/410, then closed, then content type, then producer, then
 * Stream-Seq, then JSON validation. Each test triggers two or more errors at once.
 */
class ErrorPrecedenceTest {

  private static ErrorCode code(StreamState s, Commands.Append a) {
    return rejected(StreamRules.append(s, a, T0)).code();
  }

  /** JSON stream; producer "p" at epoch 1, last seq 0; last Stream-Seq "5". */
  private static StreamState json() {
    return appended(created(JSON), post(JSON, "1", "5", p("p", 1, 0)));
  }

  @Test
  void aMissingStreamWinsOverEverything() {
    assertEquals(ErrorCode.STREAM_NOT_FOUND, code(StreamState.EMPTY, post("image/png", "{", "0", p("p", 0, 9))));
  }

  @Test
  void aSoftDeletedStreamWinsOverEverything() {
    StreamState s = appended(json(), closeOnly()).apply(new StreamEvent.ForkAdded("/f")).apply(new StreamEvent.SoftDeleted(T0));
    assertEquals(ErrorCode.STREAM_GONE, code(s, post("image/png", "{", "0", p("p", 0, 9))));
  }

  @Test
  void closedComesBeforeContentTypeMismatch() {
    StreamState s = appended(json(), closeOnly());
    assertEquals(ErrorCode.STREAM_CLOSED, code(s, post(TEXT, "x")));
  }

  @Test
  void closedComesBeforeProducerValidationForAppends() {
    StreamState s = appended(json(), closeOnly());
    assertEquals(ErrorCode.STREAM_CLOSED, code(s, post(JSON, "2", p("p", 1, 7)))); // would be a gap
    assertEquals(ErrorCode.STREAM_CLOSED, code(s, post(JSON, "2", p("new", 0, 3)))); // would be a gap
    assertEquals(ErrorCode.STREAM_CLOSED, code(s, post(JSON, "2", p("p", 2, 4)))); // would be epoch-seq-not-zero
  }

  @Test
  void closedComesBeforeStreamSeqAndJson() {
    StreamState s = appended(json(), closeOnly());
    assertEquals(ErrorCode.STREAM_CLOSED, code(s, post(JSON, "{", "1", null)));
  }

  @Test
  void contentTypeMismatchComesBeforeProducerValidation() {
    assertEquals(ErrorCode.CONTENT_TYPE_MISMATCH, code(json(), post(TEXT, "x", p("p", 0, 0)))); // stale epoch
    assertEquals(ErrorCode.CONTENT_TYPE_MISMATCH, code(json(), post(TEXT, "x", p("p", 1, 9)))); // gap
    assertEquals(ErrorCode.CONTENT_TYPE_MISMATCH, code(json(), post(TEXT, "x", p("p", 1, 0)))); // duplicate
  }

  @Test
  void contentTypeMismatchComesBeforeStreamSeq() {
    assertEquals(ErrorCode.CONTENT_TYPE_MISMATCH, code(json(), post(TEXT, "x", "1", null)));
  }

  @Test
  void producerValidationComesBeforeStreamSeq() {
    assertEquals(ErrorCode.PRODUCER_EPOCH_STALE, code(json(), post(JSON, "2", "1", p("p", 0, 1))));
    assertEquals(ErrorCode.PRODUCER_SEQ_GAP, code(json(), post(JSON, "2", "1", p("p", 1, 5))));
    assertEquals(ErrorCode.PRODUCER_EPOCH_SEQ_NOT_ZERO, code(json(), post(JSON, "2", "1", p("p", 2, 5))));
  }

  @Test
  void producerDuplicateComesBeforeStreamSeq() {
    assertTrue(reply(StreamRules.append(json(), post(JSON, "2", "1", p("p", 1, 0)), T0)).duplicate());
  }

  @Test
  void producerValidationComesBeforeJsonValidation() {
    assertEquals(ErrorCode.PRODUCER_SEQ_GAP, code(json(), post(JSON, "{", p("p", 1, 5))));
    assertEquals(ErrorCode.PRODUCER_EPOCH_STALE, code(json(), post(JSON, "[]", p("p", 0, 1))));
  }

  @Test
  void producerDuplicateComesBeforeJsonValidation() {
    assertTrue(reply(StreamRules.append(json(), post(JSON, "{", p("p", 1, 0)), T0)).duplicate());
  }

  @Test
  void streamSeqComesBeforeJsonValidation() {
    assertEquals(ErrorCode.SEQ_CONFLICT, code(json(), post(JSON, "{", "4", null)));
    assertEquals(ErrorCode.SEQ_CONFLICT, code(json(), post(JSON, "[]", "5", null)));
  }

  @Test
  void closeOnlyOnAnOpenStreamSkipsContentTypeButNotProducerValidation() {
    assertEquals(ErrorCode.PRODUCER_SEQ_GAP, code(json(), closeOnly("image/png", p("p", 1, 5))));
  }
}
