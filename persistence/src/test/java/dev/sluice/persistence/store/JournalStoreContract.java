package dev.sluice.persistence.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sluice.core.Bytes;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link JournalStore} must do, written once: run by {@code LocalJournalStoreTest} against
 * the node-local RocksDB store, and by {@code ReplicatedJournalStoreTest} against the replicated one. Events are
 * built without Pekko serialization (the blob is just the event's text), so the contract is about
 * storage only; the journal TCK covers the plugin on top.
 */
public abstract class JournalStoreContract {
  private static final long TIMEOUT_S = 10;
  private JournalStore store;

  /** A store in which no stream this contract uses was written yet. */
  protected abstract JournalStore openStore();

  /** Releases what {@link #openStore()} opened. */
  protected abstract void closeStore();

  @BeforeEach
  void open() {
    store = openStore();
  }

  @AfterEach
  void close() {
    closeStore();
  }

  private static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(TIMEOUT_S, TimeUnit.SECONDS);
  }

  /** Events {@code from..to} of {@code stream}, as the journal plugin would write them in one AtomicWrite. */
  protected static StreamWrite events(StreamKey stream, long from, long to) {
    List<WriteOp> ops = new ArrayList<>();
    for (long seq = from; seq <= to; seq++) {
      byte[] key = KeyLayout.seqKey(stream.placementGroup(), stream.persistenceId(), seq);
      SerializedBlob blob = new SerializedBlob(0, "", Bytes.utf8(text(stream, seq)));
      ops.add(WriteOp.put(Column.LOG, key, new LogRecord(0, "writer", blob).encode(key)));
    }
    ops.add(new WriteOp.MetaAppended(from, to, 0));
    return new StreamWrite(stream, ops);
  }

  private static String text(StreamKey stream, long seq) {
    return stream.persistenceId() + "#" + seq;
  }

  private List<String> replay(StreamKey stream, long from, long to, long max) throws Exception {
    List<String> seen = new ArrayList<>();
    await(store.replay(stream, from, to, max, e -> {
      assertEquals(text(stream, e.seqNr()), e.record().repr().bytes().utf8String(), "seqNr matches its record");
      seen.add(e.record().repr().bytes().utf8String());
    }));
    return seen;
  }

  private List<String> replayAll(StreamKey stream) throws Exception {
    return replay(stream, 0, Long.MAX_VALUE, Long.MAX_VALUE);
  }

  private static List<String> texts(StreamKey stream, long from, long to) {
    List<String> t = new ArrayList<>();
    for (long seq = from; seq <= to; seq++) {
      t.add(text(stream, seq));
    }
    return t;
  }

  /**
   * An event-sourced writer only continues its log. A write that starts at or below the stored
   * tail (a writer that recovered without a write the storage kept after all, e.g. after a failed
   * fsync and a reopen) must fail rather than overwrite acknowledged events.
   */
  @Test
  void aWriteThatDoesNotContinueTheStoredTailFailsAndOverwritesNothing() throws Exception {
    StreamKey s = StreamKey.of("continuity");
    await(store.write(List.of(events(s, 1, 5))));
    assertThrows(Exception.class, () -> await(store.write(List.of(overwriting(s, 4, 6)))));
    assertEquals(texts(s, 1, 5), replayAll(s));
    assertEquals(5L, await(store.highestSequenceNr(s)));
    await(store.write(List.of(events(s, 6, 6))));
    assertEquals(texts(s, 1, 6), replayAll(s));
  }

  /** Like {@link #events}, but with other contents at those sequence numbers. */
  private static StreamWrite overwriting(StreamKey stream, long from, long to) {
    List<WriteOp> ops = new ArrayList<>();
    for (long seq = from; seq <= to; seq++) {
      byte[] key = KeyLayout.seqKey(stream.placementGroup(), stream.persistenceId(), seq);
      SerializedBlob blob = new SerializedBlob(0, "", Bytes.utf8("other#" + seq));
      ops.add(WriteOp.put(Column.LOG, key, new LogRecord(0, "other-writer", blob).encode(key)));
    }
    ops.add(new WriteOp.MetaAppended(from, to, 0));
    return new StreamWrite(stream, ops);
  }

  @Test
  void aStreamNeverWrittenHasNoEventsAndHighestSequenceNrZero() throws Exception {
    StreamKey s = StreamKey.of("never");
    assertEquals(0L, await(store.highestSequenceNr(s)));
    assertEquals(List.of(), replayAll(s));
  }

  @Test
  void replayReturnsStoredEventsInOrderWithinFromToAndMax() throws Exception {
    StreamKey s = StreamKey.of("bounds");
    await(store.write(List.of(events(s, 1, 3), events(s, 4, 10))));
    assertEquals(texts(s, 1, 10), replayAll(s));
    assertEquals(texts(s, 3, 7), replay(s, 3, 7, Long.MAX_VALUE));
    assertEquals(texts(s, 3, 5), replay(s, 3, 7, 3));
    assertEquals(List.of(), replay(s, 3, 7, 0));
    assertEquals(List.of(), replay(s, 8, 7, 10));
    assertEquals(10L, await(store.highestSequenceNr(s)));
  }

  @Test
  void highestSequenceNrSeesWritesStillInFlight() throws Exception {
    StreamKey s = StreamKey.of("in-flight");
    List<CompletionStage<Void>> writes = new ArrayList<>();
    for (long seq = 1; seq <= 50; seq++) {
      writes.add(store.write(List.of(events(s, seq, seq))));
    }
    assertEquals(50L, await(store.highestSequenceNr(s)), "read-your-writes");
    for (CompletionStage<Void> w : writes) {
      await(w);
    }
    assertEquals(texts(s, 1, 50), replayAll(s), "pipelined writes keep their order");
  }

  @Test
  void oneCallMayWriteSeveralStreams() throws Exception {
    StreamKey a = StreamKey.of("multi-a");
    StreamKey b = StreamKey.of("multi-b");
    await(store.write(List.of(events(a, 1, 2), events(b, 1, 1), events(a, 3, 3))));
    assertEquals(texts(a, 1, 3), replayAll(a));
    assertEquals(texts(b, 1, 1), replayAll(b));
    assertEquals(3L, await(store.highestSequenceNr(a)));
    assertEquals(1L, await(store.highestSequenceNr(b)));
  }

  @Test
  void deleteToHidesEventsButNeverLowersTheHighestSequenceNr() throws Exception {
    StreamKey s = StreamKey.of("deletes");
    await(store.write(List.of(events(s, 1, 5))));
    await(store.deleteTo(s, 3));
    assertEquals(texts(s, 4, 5), replayAll(s));
    await(store.deleteTo(s, 2));
    assertEquals(texts(s, 4, 5), replayAll(s), "a lower delete changes nothing");
    await(store.deleteTo(s, Long.MAX_VALUE));
    assertEquals(List.of(), replayAll(s));
    assertEquals(5L, await(store.highestSequenceNr(s)));
    await(store.write(List.of(events(s, 6, 7))));
    assertEquals(texts(s, 6, 7), replayAll(s), "a delete past the tail does not reach later events");
  }

  @Test
  void streamsWhoseIdsPrefixEachOtherStayApart() throws Exception {
    StreamKey a = StreamKey.of("a");
    StreamKey ab = StreamKey.of("a:b");
    await(store.write(List.of(events(a, 1, 2), events(ab, 1, 3))));
    await(store.deleteTo(ab, Long.MAX_VALUE));
    assertEquals(texts(a, 1, 2), replayAll(a));
    assertEquals(List.of(), replayAll(ab));
    assertEquals(2L, await(store.highestSequenceNr(a)));
  }

  /** Whether the store keeps streams of placement groups other than 0 (the replicated one does not, yet). */
  protected boolean placementGroupsSupported() {
    return true;
  }

  @Test
  void aStreamOfAnotherPlacementGroupStaysApart() throws Exception {
    assumeTrue(placementGroupsSupported(), "placement groups other than 0 not supported");
    StreamKey a = StreamKey.of("pg-a");
    StreamKey otherGroup = new StreamKey(1, "pg-a");
    await(store.write(List.of(events(a, 1, 2), events(otherGroup, 1, 4))));
    await(store.deleteTo(a, Long.MAX_VALUE));
    assertEquals(List.of(), replayAll(a));
    assertEquals(texts(otherGroup, 1, 4), replayAll(otherGroup));
    assertEquals(2L, await(store.highestSequenceNr(a)));
    assertEquals(4L, await(store.highestSequenceNr(otherGroup)));
  }
}
