package dev.sluice.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.Bytes;
import dev.sluice.core.protocol.Offset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@link StreamState#apply}: the evolve function of the stream entity. */
class StreamStateTest {
  private static final long T = 1_800_000_000_000L;

  private static StreamState created() {
    return StreamState.EMPTY.apply(new StreamEvent.Created(4, "text/plain", 60L, null, List.of(), 0, null, T));
  }

  private static StreamEvent.Appended append(long position, String data) {
    return StreamEvent.Appended.of(4, position, Bytes.utf8(data), null, null, null, null, false, T + position);
  }

  @Test
  void theEmptyStateIsANonexistentPath() {
    StreamState s = StreamState.EMPTY;
    assertEquals(StreamStatus.NONE, s.status());
    assertFalse(s.exists());
    assertEquals(Offset.ZERO, s.tailOffset());
    assertTrue(s.forks().isEmpty());
    assertTrue(s.producers().isEmpty());
  }

  @Test
  void createdMakesAnActiveStreamWithItsConfig() {
    var origin = new ForkOrigin("/src", null, Offset.at(5), 0, true);
    List<Segment> inherited = List.of(new Segment(1, 0, 5));
    StreamState s = StreamState.EMPTY.apply(new StreamEvent.Created(2, "application/json", null, 99L, inherited, 5, origin, T));
    assertEquals(StreamStatus.ACTIVE, s.status());
    assertTrue(s.exists());
    assertEquals(2, s.storeId());
    assertEquals("application/json", s.contentType());
    assertNull(s.ttlSeconds());
    assertEquals(99L, s.expiresAtMillis());
    assertEquals(inherited, s.inherited());
    assertEquals(5, s.ownStart());
    assertEquals(5, s.tail(), "a fork's tail starts at its fork offset");
    assertEquals(origin, s.fork());
    assertFalse(s.closed());
    assertEquals(T, s.lastWriteMillis());
    assertEquals(List.of(new Segment(1, 0, 5), new Segment(2, 5, 5)), s.readPath());
  }

  @Test
  void appendedAdvancesTheTailAndTheLastWrite() {
    StreamState s = created().apply(append(0, "hello")).apply(append(5, "!"));
    assertEquals(6, s.tail());
    assertEquals(Offset.at(6), s.tailOffset());
    assertEquals(T + 5, s.lastWriteMillis());
    assertEquals(List.of(new Segment(4, 0, 6)), s.readPath());
    assertTrue(s.producers().isEmpty());
    assertFalse(s.closed());
  }

  @Test
  void appendedRecordsProducerStateAndStreamSeq() {
    StreamState s = created().apply(StreamEvent.Appended.of(4, 0, Bytes.utf8("x"), "p", 2L, 7L, "s1", false, T + 1));
    assertEquals(Map.of("p", new ProducerState(2, 7, T + 1)), s.producers());
    assertEquals("s1", s.lastStreamSeq());
    s = s.apply(append(1, "y"));
    assertEquals("s1", s.lastStreamSeq(), "an append without Stream-Seq keeps the last one");
    assertEquals(new ProducerState(2, 7, T + 1), s.producers().get("p"));
    s = s.apply(StreamEvent.Appended.of(4, 2, Bytes.utf8("z"), "q", 0L, 0L, null, false, T + 2));
    assertEquals(2, s.producers().size());
  }

  @Test
  void appendAndCloseRecordsTheCloser() {
    StreamState s = created().apply(StreamEvent.Appended.of(4, 0, Bytes.utf8("x"), "p", 1L, 3L, null, true, T));
    assertTrue(s.closed());
    assertEquals("p", s.closedByProducer());
    assertEquals(1L, s.closedByEpoch());
    assertEquals(3L, s.closedBySeq());
    assertEquals(1, s.tail());
  }

  @Test
  void aPlainAppendAndCloseHasNoCloser() {
    StreamState s = created().apply(StreamEvent.Appended.of(4, 0, Bytes.utf8("x"), null, null, null, null, true, T));
    assertTrue(s.closed());
    assertNull(s.closedByProducer());
  }

  @Test
  void closedKeepsTheTailAndRecordsTheCloserAndItsProducerState() {
    StreamState s = created().apply(append(0, "abc")).apply(new StreamEvent.Closed("p", 0L, 4L, "z", T + 9));
    assertTrue(s.closed());
    assertEquals(3, s.tail());
    assertEquals("p", s.closedByProducer());
    assertEquals(0L, s.closedByEpoch());
    assertEquals(4L, s.closedBySeq());
    assertEquals("z", s.lastStreamSeq());
    assertEquals(new ProducerState(0, 4, T + 9), s.producers().get("p"));
    assertEquals(T + 9, s.lastWriteMillis());
  }

  @Test
  void aPlainCloseKeepsProducersAndTheLastStreamSeq() {
    StreamState s = created().apply(StreamEvent.Appended.of(4, 0, Bytes.utf8("x"), "p", 0L, 0L, "5", false, T))
        .apply(new StreamEvent.Closed(null, null, null, null, T + 1));
    assertTrue(s.closed());
    assertNull(s.closedByProducer());
    assertEquals("5", s.lastStreamSeq());
    assertEquals(new ProducerState(0, 0, T), s.producers().get("p"));
  }

  @Test
  void forkAddedAndReleasedMaintainTheForkSet() {
    StreamState s = created().apply(new StreamEvent.ForkAdded("/a")).apply(new StreamEvent.ForkAdded("/b"));
    assertEquals(Set.of("/a", "/b"), s.forks());
    assertEquals(s, s.apply(new StreamEvent.ForkAdded("/a")), "adding a present fork is a no-op");
    s = s.apply(new StreamEvent.ForkReleased("/a"));
    assertEquals(Set.of("/b"), s.forks());
    assertEquals(s, s.apply(new StreamEvent.ForkReleased("/zzz")), "releasing an absent fork is a no-op");
  }

  @Test
  void forkEventsChangeNothingElse() {
    StreamState s = created().apply(append(0, "abc"));
    StreamState t = s.apply(new StreamEvent.ForkAdded("/a"));
    assertEquals(s.tail(), t.tail());
    assertEquals(s.lastWriteMillis(), t.lastWriteMillis());
    assertEquals(s.status(), t.status());
  }

  @Test
  void softDeletedKeepsEverythingButTheStatus() {
    StreamState s = created().apply(StreamEvent.Appended.of(4, 0, Bytes.utf8("x"), "p", 0L, 0L, "5", true, T))
        .apply(new StreamEvent.ForkAdded("/f"));
    StreamState d = s.apply(new StreamEvent.SoftDeleted(T + 100));
    assertEquals(StreamStatus.SOFT_DELETED, d.status());
    assertTrue(d.exists());
    assertEquals(new StreamState(StreamStatus.SOFT_DELETED, s.storeId(), s.contentType(), s.ttlSeconds(),
        s.expiresAtMillis(), s.inherited(), s.ownStart(), s.fork(), s.tail(), s.closed(), s.closedByProducer(),
        s.closedByEpoch(), s.closedBySeq(), s.lastStreamSeq(), s.producers(), s.forks(), s.lastWriteMillis()), d);
  }

  @Test
  void purgedReturnsToTheEmptyState() {
    assertSame(StreamState.EMPTY, created().apply(append(0, "x")).apply(new StreamEvent.Purged(4)));
  }

  @Test
  void aNewIncarnationStartsFresh() {
    StreamState old = created().apply(StreamEvent.Appended.of(4, 0, Bytes.utf8("x"), "p", 0L, 0L, "9", true, T))
        .apply(new StreamEvent.ForkAdded("/f"));
    StreamState fresh = old.apply(new StreamEvent.Purged(4))
        .apply(new StreamEvent.Created(5, "text/plain", null, null, List.of(), 0, null, T + 1));
    assertEquals(5, fresh.storeId());
    assertEquals(0, fresh.tail());
    assertFalse(fresh.closed());
    assertTrue(fresh.producers().isEmpty());
    assertTrue(fresh.forks().isEmpty());
    assertNull(fresh.lastStreamSeq());
    assertNull(fresh.closedByProducer());
  }

  @Test
  void applyIsPureAndTheCollectionsAreImmutable() {
    StreamState s = created();
    StreamState t = s.apply(StreamEvent.Appended.of(4, 0, Bytes.utf8("x"), "p", 0L, 0L, null, false, T))
        .apply(new StreamEvent.ForkAdded("/f"));
    assertTrue(s.producers().isEmpty());
    assertTrue(s.forks().isEmpty());
    assertEquals(0, s.tail());
    assertThrows(UnsupportedOperationException.class, () -> t.producers().put("q", new ProducerState(0, 0, 0)));
    assertThrows(UnsupportedOperationException.class, () -> t.forks().add("/g"));
  }

  @Test
  void segmentsRejectNegativeOrInvertedRanges() {
    assertThrows(IllegalArgumentException.class, () -> new Segment(1, -1, 0));
    assertThrows(IllegalArgumentException.class, () -> new Segment(1, 5, 4));
    new Segment(1, 5, 5);
  }
}
