package dev.sluice.core.rules;

import static dev.sluice.core.rules.Fx.BIN;
import static dev.sluice.core.rules.Fx.JSON;
import static dev.sluice.core.rules.Fx.T0;
import static dev.sluice.core.rules.Fx.TEXT;
import static dev.sluice.core.rules.Fx.appended;
import static dev.sluice.core.rules.Fx.closeOnly;
import static dev.sluice.core.rules.Fx.created;
import static dev.sluice.core.rules.Fx.events;
import static dev.sluice.core.rules.Fx.off;
import static dev.sluice.core.rules.Fx.p;
import static dev.sluice.core.rules.Fx.post;
import static dev.sluice.core.rules.Fx.postSeq;
import static dev.sluice.core.rules.Fx.put;
import static dev.sluice.core.rules.Fx.rejected;
import static dev.sluice.core.rules.Fx.reply;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.Bytes;
import dev.sluice.core.error.ErrorCode;
import dev.sluice.core.model.StreamEvent;
import dev.sluice.core.model.StreamState;
import dev.sluice.core.model.StreamStatus;
import dev.sluice.core.rules.Commands.CreateResult;
import dev.sluice.core.rules.StreamRules.CreateCheck;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Checklist §2 create and idempotent re-create. */
class CreateRulesTest {
  private static final long EXP = T0 + 3_600_000;

  private static Decision<CreateResult> recheck(StreamState s, Commands.Create c) {
    CreateCheck check = StreamRules.checkCreate(s, c);
    assertInstanceOf(CreateCheck.Done.class, check, "an existing path never proceeds to create");
    return ((CreateCheck.Done) check).decision();
  }

  private static void assertIdempotent(StreamState s, Commands.Create c) {
    var d = recheck(s, c);
    assertTrue(events(d).isEmpty());
    CreateResult r = reply(d);
    assertFalse(r.created());
    assertEquals(StreamRules.info(s), r.info());
  }

  private static void assertMismatch(StreamState s, Commands.Create c) {
    assertEquals(ErrorCode.CONFIG_MISMATCH, rejected(recheck(s, c)).code());
  }

  // ------------------------------------------------------------ new path

  @Test
  void aFreePathProceedsToCreate() {
    assertSame(CreateCheck.Proceed.INSTANCE, StreamRules.checkCreate(StreamState.EMPTY, put(TEXT)));
  }

  @Test
  void createEmitsCreatedWithTheGivenConfig() {
    var d = StreamRules.create(StreamState.EMPTY, put(TEXT, 60L, null, false, null), 7, null, null, T0);
    assertEquals(List.of(new StreamEvent.Created(7, TEXT, 60L, null, List.of(), 0, null, T0)), events(d));
    CreateResult r = reply(d);
    assertTrue(r.created());
    assertEquals(new Commands.StreamInfo(TEXT, off(0), false, 60L, null), r.info());
  }

  @Test
  void createWithoutContentTypeDefaultsToOctetStream() {
    var d = StreamRules.create(StreamState.EMPTY, put(null), 1, null, null, T0);
    assertEquals(BIN, reply(d).info().contentType());
    assertEquals(BIN, Fx.applyAll(StreamState.EMPTY, d).contentType());
  }

  @Test
  void theContentTypeIsStoredExactlyAsGiven() {
    StreamState s = created("Text/Plain; charset=utf-8");
    assertEquals("Text/Plain; charset=utf-8", s.contentType());
  }

  @Test
  void anInitialBodyIsAppendedAtOffsetZero() {
    var d = StreamRules.create(StreamState.EMPTY, put(TEXT, null, null, false, "hello"), 3, null, null, T0);
    assertEquals(StreamEvent.Appended.of(3, 0, Bytes.utf8("hello"), null, null, null, null, false, T0), events(d).get(1));
    assertEquals(off(5), reply(d).info().tail());
    assertEquals(5, Fx.applyAll(StreamState.EMPTY, d).tail());
  }

  @Test
  void aJsonInitialBodyIsFlattened() {
    var d = StreamRules.create(StreamState.EMPTY, put(JSON, null, null, false, "[ 1, [2] ]"), 1, null, null, T0);
    assertEquals("1,[2]", ((StreamEvent.Appended) events(d).get(1)).data().utf8String());
  }

  @Test
  void aJsonInitialEmptyArrayCreatesAnEmptyStream() {
    var d = StreamRules.create(StreamState.EMPTY, put(JSON, null, null, false, "[]"), 1, null, null, T0);
    assertEquals(1, events(d).size());
    assertTrue(reply(d).created());
    assertEquals(off(0), reply(d).info().tail());
  }

  @ParameterizedTest
  @ValueSource(strings = {"{", "[1,", "{\"a\":1} trailing", "nope"})
  void aJsonInitialBodyThatIsInvalidIsRejected(String body) {
    var d = StreamRules.create(StreamState.EMPTY, put(JSON, null, null, false, body), 1, null, null, T0);
    assertEquals(ErrorCode.INVALID_JSON, rejected(d).code());
  }

  @Test
  void jsonModeOnCreateIsCaseInsensitive() {
    var d = StreamRules.create(StreamState.EMPTY, put("APPLICATION/JSON; charset=utf-8", null, null, false, "{"), 1, null, null, T0);
    assertEquals(ErrorCode.INVALID_JSON, rejected(d).code());
  }

  @Test
  void createClosedWithoutBodyIsClosedAndEmpty() {
    var d = StreamRules.create(StreamState.EMPTY, put(TEXT, null, null, true, null), 1, null, null, T0);
    assertEquals(List.of(new StreamEvent.Created(1, TEXT, null, null, List.of(), 0, null, T0),
        new StreamEvent.Closed(null, null, null, null, T0)), events(d));
    assertTrue(reply(d).info().closed());
    StreamState s = Fx.applyAll(StreamState.EMPTY, d);
    assertTrue(s.closed());
    assertEquals(0, s.tail());
  }

  @Test
  void createClosedWithBodyMakesTheBodyTheEntireFinalContent() {
    var d = StreamRules.create(StreamState.EMPTY, put(TEXT, null, null, true, "final"), 1, null, null, T0);
    assertEquals(2, events(d).size());
    assertEquals(StreamEvent.Appended.of(1, 0, Bytes.utf8("final"), null, null, null, null, true, T0), events(d).get(1));
    assertTrue(reply(d).info().closed());
    assertEquals(off(5), reply(d).info().tail());
    StreamState s = Fx.applyAll(StreamState.EMPTY, d);
    assertTrue(s.closed());
    assertEquals(ErrorCode.STREAM_CLOSED, rejected(StreamRules.append(s, post(TEXT, "x"), T0)).code());
  }

  @Test
  void createClosedJsonWithEmptyArrayIsClosedAndEmpty() {
    var d = StreamRules.create(StreamState.EMPTY, put(JSON, null, null, true, "[]"), 1, null, null, T0);
    assertInstanceOf(StreamEvent.Closed.class, events(d).get(1));
    assertTrue(Fx.applyAll(StreamState.EMPTY, d).closed());
  }

  @Test
  void createOnAnExistingPathIsAProgrammingError() {
    assertThrows(IllegalStateException.class,
        () -> StreamRules.create(created(TEXT), put(TEXT), 2, null, null, T0));
  }

  // ------------------------------------------------------------ idempotent re-create

  @Test
  void anIdenticalRecreateIsIdempotentAndReportsTheCurrentTail() {
    StreamState s = appended(created(put(TEXT, 60L, null, false, "abc"), 1, T0), post(TEXT, "de"));
    assertIdempotent(s, put(TEXT, 60L, null, false, null));
    assertEquals(off(5), reply(recheck(s, put(TEXT, 60L, null, false, null))).info().tail());
  }

  @Test
  void anIdempotentRecreateIgnoresTheBody() {
    StreamState s = created(put(JSON), 1, T0);
    assertIdempotent(s, put(JSON, null, null, false, "[1,2,3]"));
    assertIdempotent(s, put(JSON, null, null, false, "{ not json"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"APPLICATION/JSON", "application/json; charset=utf-8", "Application/Json;charset=UTF-8"})
  void recreateMatchesContentTypeCaseInsensitivelyIgnoringParameters(String ct) {
    assertIdempotent(created(JSON), put(ct));
  }

  @Test
  void recreateWithoutContentTypeMatchesTheDefault() {
    assertIdempotent(created(put(null), 1, T0), put(null));
    assertIdempotent(created(put(null), 1, T0), put(BIN));
    assertIdempotent(created(BIN), put(null));
  }

  @Test
  void recreateWithoutContentTypeDoesNotMatchANonDefaultType() {
    assertMismatch(created(TEXT), put(null));
  }

  @Test
  void recreateWithAnotherContentTypeIsAMismatch() {
    assertMismatch(created(TEXT), put(JSON));
    assertMismatch(created(JSON), put("application/jsonx"));
  }

  @Test
  void recreateComparesTtl() {
    StreamState s = created(put(TEXT, 60L, null, false, null), 1, T0);
    assertIdempotent(s, put(TEXT, 60L, null, false, null));
    assertMismatch(s, put(TEXT, 61L, null, false, null));
    assertMismatch(s, put(TEXT, null, null, false, null));
    assertMismatch(created(TEXT), put(TEXT, 60L, null, false, null));
    assertMismatch(s, put(TEXT, null, T0 + 60_000, false, null));
  }

  @Test
  void recreateComparesExpiresAt() {
    StreamState s = created(put(TEXT, null, EXP, false, null), 1, T0);
    assertIdempotent(s, put(TEXT, null, EXP, false, null));
    assertMismatch(s, put(TEXT, null, EXP + 1, false, null));
    assertMismatch(s, put(TEXT, null, null, false, null));
    assertMismatch(created(TEXT), put(TEXT, null, EXP, false, null));
  }

  @Test
  void recreateComparesClosedState() {
    StreamState open = created(TEXT);
    StreamState closedAtCreate = created(put(TEXT, null, null, true, null), 1, T0);
    StreamState closedLater = appended(created(TEXT), closeOnly());
    assertMismatch(open, put(TEXT, null, null, true, null));
    assertMismatch(closedAtCreate, put(TEXT));
    assertMismatch(closedLater, put(TEXT));
    assertIdempotent(closedAtCreate, put(TEXT, null, null, true, null));
    assertIdempotent(closedLater, put(TEXT, null, null, true, null));
  }

  @Test
  void aPlainPutOnAForkPathIsAMismatchAndViceVersa() {
    StreamState fork = StreamState.EMPTY.apply(new StreamEvent.Created(2, TEXT, null, null, List.of(), 0,
        new dev.sluice.core.model.ForkOrigin("/v1/stream/src", null, off(0), 0, true), T0));
    assertMismatch(fork, put(TEXT));
    assertMismatch(created(TEXT), new Commands.Create(TEXT, null, null, false, Bytes.EMPTY,
        new Commands.ForkRequest("/v1/stream/src", null, 0)));
  }

  @Test
  void putOnASoftDeletedPathIsRejected() {
    StreamState s = created(TEXT).apply(new StreamEvent.ForkAdded("/f")).apply(new StreamEvent.SoftDeleted(T0));
    var check = StreamRules.checkCreate(s, put(TEXT));
    assertInstanceOf(CreateCheck.Done.class, check);
    assertEquals(ErrorCode.STREAM_SOFT_DELETED, rejected(((CreateCheck.Done) check).decision()).code());
  }

  @Test
  void aPurgedPathCanBeCreatedAgainAsAFreshIsolatedStream() {
    StreamState old = appended(appended(created(TEXT), post(TEXT, "old", p("p", 3, 0))), postSeq(TEXT, "x", "9"));
    StreamState gone = Fx.apply(old, StreamRules.delete(old, java.util.Set.of(), T0));
    assertEquals(StreamStatus.NONE, gone.status());
    assertSame(CreateCheck.Proceed.INSTANCE, StreamRules.checkCreate(gone, put(JSON, 5L, null, false, null)));
    StreamState fresh = Fx.applyAll(gone, StreamRules.create(gone, put(JSON, 5L, null, false, null), 2, null, null, T0 + 1));
    assertEquals(2, fresh.storeId());
    assertEquals(0, fresh.tail());
    assertEquals(JSON, fresh.contentType());
    assertTrue(fresh.producers().isEmpty());
    assertNull(fresh.lastStreamSeq());
    assertFalse(fresh.closed());
  }
}
