package dev.sluice.core.rules;

import static dev.sluice.core.rules.Fx.BIN;
import static dev.sluice.core.rules.Fx.T0;
import static dev.sluice.core.rules.Fx.TEXT;
import static dev.sluice.core.rules.Fx.accepted;
import static dev.sluice.core.rules.Fx.created;
import static dev.sluice.core.rules.Fx.p;
import static dev.sluice.core.rules.Fx.post;
import static dev.sluice.core.rules.Fx.rejected;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.Bytes;
import dev.sluice.core.error.ErrorCode;
import dev.sluice.core.model.StreamState;
import java.util.List;
import org.junit.jupiter.api.Test;

class EntityRulesTest {

  @Test
  void aBatchIsDecidedInOrderEachAppendSeeingTheAcceptedOnesBeforeIt() {
    StreamState s = created(TEXT);
    var batch = EntityRules.appendBatch(s, List.of(
        post(TEXT, "ab", p("w", 0, 0)),
        post(TEXT, "cd", p("w", 0, 1)),   // needs seq 0 from the same batch
        post(TEXT, "xx", p("w", 0, 1)),   // a retry of seq 1 within the batch: duplicate, nothing written
        post(BIN, "no"),                  // wrong content type: rejected, nothing written
        Fx.closeOnly(),
        post(TEXT, "late")), T0);         // after the close in the same batch: refused
    var d = batch.decisions();
    assertEquals(6, d.size());
    assertEquals(2, accepted(d.get(0)).reply().nextOffset().position());
    assertEquals(4, accepted(d.get(1)).reply().nextOffset().position());
    assertTrue(accepted(d.get(2)).events().isEmpty(), "duplicate writes nothing");
    assertEquals(ErrorCode.CONTENT_TYPE_MISMATCH, rejected(d.get(3)).code());
    accepted(d.get(4));
    assertEquals(ErrorCode.STREAM_CLOSED, rejected(d.get(5)).code());
    StreamState after = Fx.apply(s, batch.events());
    assertEquals(4, after.tail());
    assertTrue(after.closed());
  }

  @Test
  void anExpiredStreamIsExpiredFirstWhenIdleAndNotFoundAtOnceWhileAWriteIsInFlight() {
    StreamState s = created(Fx.put(TEXT, 10L, null, false, null), 1, T0);
    long later = T0 + 11_000;
    assertSame(EntityRules.ViewCheck.ExpireFirst.INSTANCE, EntityRules.checkView(s, T0, later, false));
    var busy = assertInstanceOf(EntityRules.ViewCheck.Reject.class, EntityRules.checkView(s, T0, later, true));
    assertEquals(ErrorCode.STREAM_NOT_FOUND, busy.rejection().code());
    assertSame(EntityRules.ViewCheck.Serve.INSTANCE, EntityRules.checkView(s, T0, T0 + 5_000, true));
    var missing = assertInstanceOf(EntityRules.ViewCheck.Reject.class, EntityRules.checkView(StreamState.EMPTY, T0, T0, false));
    assertEquals(ErrorCode.STREAM_NOT_FOUND, missing.rejection().code());
  }

  @Test
  void aStreamCannotForkItself() {
    var self = new Commands.Create(null, null, null, false, Bytes.EMPTY, new Commands.ForkRequest("a", null, 0));
    assertEquals(ErrorCode.BAD_REQUEST, EntityRules.checkForkSource("a", self).code());
    assertNull(EntityRules.checkForkSource("b", self));
    assertNull(EntityRules.checkForkSource("a", Fx.put(TEXT)));
  }

  @Test
  void onlyAnExistingForkOfExactlyThatSourcePinsIt() {
    StreamState source = created(TEXT);
    var grant = Fx.reply(StreamRules.acquireFork(source, "child", new Commands.ForkRequest("src", null, 0), null));
    var forkCmd = new Commands.Create(null, null, null, false, Bytes.EMPTY, new Commands.ForkRequest("src", null, 0));
    StreamState fork = Fx.applyAll(StreamState.EMPTY, StreamRules.create(StreamState.EMPTY, forkCmd, 2, grant, null, T0));
    assertTrue(EntityRules.isLiveForkOf(fork, "src"));
    assertFalse(EntityRules.isLiveForkOf(fork, "other"));
    assertFalse(EntityRules.isLiveForkOf(source, "src"), "not a fork at all");
    assertFalse(EntityRules.isLiveForkOf(StreamState.EMPTY, "src"), "gone");
  }
}
