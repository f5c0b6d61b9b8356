package dev.sluice.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.replication.Effect.Committed;
import dev.sluice.replication.Effect.Persist;
import dev.sluice.replication.Effect.Send;
import dev.sluice.replication.Message.Ack;
import dev.sluice.replication.Message.Append;
import dev.sluice.replication.Message.Commit;
import dev.sluice.replication.Message.Fence;
import dev.sluice.replication.Message.Fenced;
import dev.sluice.replication.Message.Gap;
import dev.sluice.replication.Message.Promise;
import dev.sluice.replication.Message.Read;
import dev.sluice.replication.Message.ReadOk;
import dev.sluice.replication.Message.ReadUnavailable;
import dev.sluice.replication.Message.Reject;
import dev.sluice.replication.Message.TailInfo;
import dev.sluice.replication.Message.Unknown;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.opentest4j.AssertionFailedError;

class ReplicaTest {
  static final String S = "s";
  static final Address W = Address.writer(0);
  static final long E1 = Epoch.of(1, 0);
  static final long E2 = Epoch.of(2, 1);
  static final long E3 = Epoch.of(3, 2);

  static Entry entry(long seq, long epoch, String v) {
    return new Entry(seq, epoch, Payload.utf8(v), null);
  }

  static List<Entry> entries(long fromExclusive, long to, long epoch, String tag) {
    List<Entry> es = new ArrayList<>();
    for (long i = fromExclusive + 1; i <= to; i++) es.add(entry(i, epoch, "v" + i + tag));
    return es;
  }

  /** One replica as a driver holds it: meta plus a log that each step's Persist is applied to. */
  static final class R {
    ReplicaState s;
    InMemoryReplicaLog log = new InMemoryReplicaLog();
    Bugs bugs = Bugs.NONE;

    R(ReplicaState s) {
      this.s = s;
    }

    Replica.Step step(Message.ToReplica m) {
      Replica.Step st = Replica.handle(s, log, W, m, bugs);
      for (Effect e : st.effects()) if (e instanceof Persist p) log.apply(p.log());
      s = st.state();
      assertEquals(s.tailSeq(), log.tailSeq(), "meta and log agree after every step");
      return st;
    }

    /** The step's answer, leaving this replica unchanged. */
    Message peek(Message.ToReplica m) {
      R copy = new R(s);
      copy.log = log.copy();
      copy.bugs = bugs;
      return reply(copy.step(m));
    }

    List<String> values() {
      return log.all().stream().map(e -> e.payload().utf8()).toList();
    }
  }

  static Message reply(Replica.Step st) {
    Effect last = st.effects().get(st.effects().size() - 1);
    return ((Send) last).message();
  }

  /** A replica holding entries 1..n written by epoch {@code e}, with the given lac. */
  static R holding(long e, int n, long lac) {
    R r = new R(ReplicaState.empty(S, 1, "d1"));
    r.step(new Fence(S, e));
    r.step(new Append(S, e, 0, Epoch.NONE, entries(0, n, e, "@" + Epoch.show(e)), lac, 0));
    return r;
  }

  @Test
  void aPromiseIsPersistedBeforeItIsSent() {
    R r = new R(ReplicaState.empty(S, 1, "d1"));
    Replica.Step st = r.step(new Fence(S, E1));
    assertEquals(2, st.effects().size());
    Persist p = assertInstanceOf(Persist.class, st.effects().get(0));
    assertEquals(E1, p.state().promised());
    assertEquals(LogChange.NONE, p.log());
    Promise promise = assertInstanceOf(Promise.class, reply(st));
    assertEquals(E1, promise.epoch());
    assertEquals("d1", promise.diskUuid());
  }

  @Test
  void aFenceAtOrBelowThePromiseIsRejectedWithoutWriting() {
    R r = new R(ReplicaState.empty(S, 1, "d1"));
    r.step(new Fence(S, E2));
    for (long e : new long[] {E1, E2}) {
      Replica.Step st = r.step(new Fence(S, e));
      assertEquals(1, st.effects().size());
      assertEquals(E2, assertInstanceOf(Reject.class, reply(st)).promised());
    }
  }

  @Test
  void anAppendPersistsOnlyTheNewEntriesAsADeltaAndReportsTheLacMove() {
    R r = holding(E1, 2, 0);
    Replica.Step st = r.step(new Append(S, E1, 1, E1, entries(1, 4, E1, "@" + Epoch.show(E1)), 2, 0));
    Persist p = assertInstanceOf(Persist.class, st.effects().get(0));
    assertFalse(p.log().truncates());
    assertEquals(List.of(3L, 4L), p.log().append().stream().map(Entry::seq).toList(), "entries 1..2 are already here");
    assertEquals(new Committed(0, 2), st.effects().get(1));
    assertEquals(4, assertInstanceOf(Ack.class, reply(st)).lastSeq());
  }

  @Test
  void anAppendFromAnOlderEpochIsFencedAndChangesNothing() {
    R r = holding(E1, 2, 1);
    r.step(new Fence(S, E2));
    ReplicaState before = r.s;
    Replica.Step st = r.step(new Append(S, E1, 2, E1, List.of(entry(3, E1, "zombie")), 2, 0));
    assertEquals(before, st.state());
    assertEquals(E2, assertInstanceOf(Fenced.class, reply(st)).promised());
  }

  @Test
  void anAppendPastTheTailAnswersGapWithTheTailAndLac() {
    R r = holding(E1, 2, 1);
    Gap gap = assertInstanceOf(Gap.class, r.peek(new Append(S, E1, 4, E1, List.of(entry(5, E1, "x")), 3, 0)));
    assertEquals(2, gap.tailSeq());
    assertEquals(1, gap.lac());
  }

  @Test
  void aMismatchedPrevEpochAboveLacIsAGapButTheCommittedPrefixIsTrusted() {
    R r = holding(E1, 3, 1);
    assertInstanceOf(Gap.class, r.peek(new Append(S, E2, 2, E2, List.of(entry(3, E2, "x")), 1, 0)));
    // Entry 1 is committed; recovery may have re-stamped it elsewhere, so its epoch is not compared.
    Message atLac = r.peek(new Append(S, E2, 1, E2, List.of(entry(2, E2, "v2"), entry(3, E2, "v3")), 1, 0));
    assertEquals(3, assertInstanceOf(Ack.class, atLac).lastSeq());
  }

  @Test
  void aNewerWriterTruncatesAStaleSuffixItDidNotWriteInOneDelta() {
    R r = holding(E1, 4, 1);
    Replica.Step st = r.step(new Append(S, E2, 1, E1, List.of(entry(2, E2, "new2")), 1, 0));
    Persist p = assertInstanceOf(Persist.class, st.effects().get(0));
    assertEquals(LogChange.replace(1, List.of(entry(2, E2, "new2"))), p.log());
    assertEquals(2, r.s.tailSeq());
    assertEquals(E2, r.s.tailEpoch());
    assertEquals("new2", r.log.all().get(1).payload().utf8());
    assertEquals(E2, r.s.promised());
  }

  @Test
  void adoptingANewWriterNeverTruncatesAtOrBelowLac() {
    R r = holding(E1, 5, 3);
    // A reordered adopt that starts below our lac: entries 2..3 are committed here already.
    Replica.Step st = r.step(new Append(S, E2, 1, E1, entries(1, 4, E2, "@new"), 1, 0));
    Persist p = assertInstanceOf(Persist.class, st.effects().get(0));
    assertEquals(3, p.log().truncateAfter());
    assertEquals(List.of(4L), p.log().append().stream().map(Entry::seq).toList());
    assertEquals(3, r.s.lac());
    assertEquals(4, r.s.tailSeq());
    assertEquals(E2, r.s.tailEpoch());
  }

  @Test
  void aReorderedOlderAppendFromTheSameWriterKeepsTheLongerLog() {
    R r = holding(E1, 4, 2);
    Replica.Step st = r.step(new Append(S, E1, 1, E1, List.of(entry(2, E1, "v2@" + Epoch.show(E1))), 1, 0));
    assertEquals(4, r.s.tailSeq());
    assertEquals(4, assertInstanceOf(Ack.class, reply(st)).lastSeq());
    assertEquals(List.of(), st.effects().subList(0, st.effects().size() - 1), "nothing changed, nothing to persist");
  }

  @Test
  void aCommittedFillExtendsAReplicaWithoutAdoptingTheWriter() {
    committedFillExtends(Bugs.NONE);
  }

  @Test
  void aCommittedFillThatReachesTheWritersRecoveredTailAdoptsTheWriter() {
    R r = new R(ReplicaState.lostDisk(S, 1, "d1-new", Bugs.NONE));
    r.step(new Append(S, E2, 0, Epoch.NONE, entries(0, 2, E1, "@old"), 5, 3));
    assertEquals(Epoch.NONE, r.s.tailEpoch(), "1..2 is not all of E2's recovered log");
    r.step(new Append(S, E2, 2, E1, entries(2, 3, E1, "@old"), 5, 3));
    assertEquals(E2, r.s.tailEpoch(), "committed 1..3 is E2's whole recovered log and nothing else");
  }

  @Test
  void anAdoptThatWouldStopShortOfTheRecoveredTailIsRefused() {
    R r = holding(E1, 3, 1);
    assertInstanceOf(Gap.class, r.peek(new Append(S, E2, 1, E1, entries(1, 3, E2, "@new"), 1, 5)), "a re-stamp comes whole");
  }

  @Test
  void limboLastsUntilTheReplicaAdoptedAWriterAsNewAsItsPeers() {
    R r = new R(ReplicaState.lostDisk(S, 1, "d1-new", Bugs.NONE));
    r.step(new TailInfo(S, 0, E2, 2, false, E2));
    r.step(new TailInfo(S, 2, E2, 1, false, E1));
    r.step(new Append(S, E3, 0, Epoch.NONE, entries(0, 2, E2, ""), 2, 4));
    assertEquals(2, r.s.lac());
    assertTrue(r.s.limbo(), "caught up to the peers' tails, but a filled log keeps its old epoch");
    r.step(new Append(S, E3, 2, E2, entries(2, 4, E3, ""), 2, 4));
    assertEquals(E3, r.s.tailEpoch());
    r.step(new Commit(S, E3, 4));
    assertFalse(r.s.limbo());
  }

  @Test
  void aCommittedFillThatAgreesKeepsOurSuffixWhichMayBeCommittedToo() {
    committedFillKeepsAgreeingSuffix(Bugs.NONE);
  }

  /** Deterministic teeth for the fill variants random search reaches rarely or never: the same checks must fail. */
  @ParameterizedTest
  @EnumSource(value = Bugs.Bug.class, names = {"FILL_ADOPTS", "FILL_TRUNCATES"})
  void theFillChecksCatchAWrongFill(Bugs.Bug bug) {
    assertThrows(AssertionFailedError.class, () -> {
      committedFillExtends(Bugs.of(bug));
      committedFillKeepsAgreeingSuffix(Bugs.of(bug));
    });
  }

  private void committedFillExtends(Bugs bugs) {
    R r = holding(E1, 3, 2);
    r.bugs = bugs;
    // E2 forwards committed entries 3..4 (lac 9 >= lastSeq): a chunk of a longer catch-up.
    Replica.Step st = r.step(new Append(S, E2, 2, E1, entries(2, 4, E1, "@" + Epoch.show(E1)), 9, 6));
    assertEquals(4, assertInstanceOf(Ack.class, reply(st)).lastSeq());
    assertEquals(4, r.s.tailSeq());
    assertEquals(4, r.s.lac(), "every filled entry is committed");
    assertEquals(E1, r.s.tailEpoch(), "not E2's whole recovered log yet, so not E2's log");
    assertEquals(E2, r.s.promised());
    assertTrue(st.effects().contains(new Committed(2, 4)));
  }

  @Test
  void aCommittedFillReplacesOurSuffixFromTheFirstEntryThatDisagrees() {
    R r = holding(E1, 5, 1); // 2..5 never committed here
    List<Entry> committed = new ArrayList<>(entries(1, 2, E1, "@" + Epoch.show(E1))); // entry 2 agrees
    committed.add(entry(3, E2, "other3"));
    Replica.Step st = r.step(new Append(S, E3, 1, E1, committed, 7, 0));
    Persist p = assertInstanceOf(Persist.class, st.effects().get(0));
    assertEquals(LogChange.replace(2, List.of(entry(3, E2, "other3"))), p.log());
    assertEquals(List.of("v1@" + Epoch.show(E1), "v2@" + Epoch.show(E1), "other3"), r.values());
    assertEquals(3, r.s.lac());
    assertEquals(3, r.s.tailSeq(), "our 4..5 followed a log that left the committed chain at 3");
  }

  private void committedFillKeepsAgreeingSuffix(Bugs bugs) {
    R r = holding(E1, 5, 1);
    r.bugs = bugs;
    Replica.Step st = r.step(new Append(S, E2, 1, E1, entries(1, 3, E2, "@" + Epoch.show(E1)), 3, 0));
    assertEquals(LogChange.NONE, assertInstanceOf(Persist.class, st.effects().get(0)).log(), "same content, other stamps: nothing to write");
    assertEquals(5, r.s.tailSeq());
    assertEquals(3, r.s.lac());
    assertEquals(3, assertInstanceOf(Ack.class, reply(st)).lastSeq(), "only the chunk is known to be the writer's");
  }

  @Test
  void followerReadsStopAtLacButThePromisedRecovererSeesTheTail() {
    R r = holding(E1, 4, 2);
    ReadOk committed = assertInstanceOf(ReadOk.class, r.peek(Read.committed(S, 7, 0, 100, Message.MAX_BATCH_BYTES)));
    assertEquals(2, committed.entries().size());
    assertEquals(2, committed.upTo());
    assertInstanceOf(ReadUnavailable.class, r.peek(new Read(S, 8, 0, 100, Message.MAX_BATCH_BYTES, E2)), "no promise for E2 yet");
    r.step(new Fence(S, E2));
    ReadOk recovery = assertInstanceOf(ReadOk.class, r.peek(new Read(S, 9, 0, 100, Message.MAX_BATCH_BYTES, E2)));
    assertEquals(4, recovery.entries().size());
    assertEquals(4, recovery.upTo());
  }

  @Test
  void readsArePagedByCountAndBytesAndCarryTheEpochOfTheirStart() {
    R r = holding(E1, 10, 10);
    ReadOk byCount = assertInstanceOf(ReadOk.class, r.peek(Read.committed(S, 1, 2, 3, Message.MAX_BATCH_BYTES)));
    assertEquals(List.of(3L, 4L, 5L), byCount.entries().stream().map(Entry::seq).toList());
    assertEquals(E1, byCount.fromEpoch());
    assertEquals(5, byCount.nextFrom());
    long two = byCount.entries().get(0).sizeBytes() * 2;
    ReadOk byBytes = assertInstanceOf(ReadOk.class, r.peek(Read.committed(S, 2, 0, 100, two)));
    assertEquals(2, byBytes.entries().size());
    ReadOk tiny = assertInstanceOf(ReadOk.class, r.peek(Read.committed(S, 3, 0, 100, 1)));
    assertEquals(1, tiny.entries().size(), "an entry above the budget comes alone, so paging always progresses");
    ReadOk past = assertInstanceOf(ReadOk.class, r.peek(Read.committed(S, 4, 10, 100, 1000)));
    assertEquals(List.of(), past.entries());
  }

  @Test
  void commitOnlyRaisesLacOnTheCommittingWritersOwnLog() {
    R r = holding(E1, 4, 1);
    R a = new R(r.s);
    a.log = r.log.copy();
    Replica.Step st = a.step(new Commit(S, E1, 3));
    assertEquals(3, a.s.lac());
    assertEquals(List.of(new Persist(a.s, LogChange.NONE, false), new Committed(1, 3)), st.effects(),
        "a raised lac alone needs no fsync before it counts as done");
    R b = new R(r.s);
    b.log = r.log.copy();
    assertEquals(1, b.step(new Commit(S, E2, 3)).state().lac(), "our suffix may not be E2's");
    assertEquals(4, b.step(new Commit(S, E1, 9)).state().lac(), "never above our tail");
  }

  @Test
  void everyChangeButARaisedLacIsFsyncedBeforeItCounts() {
    R r = new R(ReplicaState.empty(S, 1, "d1"));
    assertTrue(assertInstanceOf(Persist.class, r.step(new Fence(S, E1)).effects().get(0)).sync(), "a promise");
    Replica.Step append = r.step(new Append(S, E1, 0, Epoch.NONE, List.of(entry(1, E1, "a"), entry(2, E1, "b")), 0, 0));
    assertTrue(assertInstanceOf(Persist.class, append.effects().get(0)).sync(), "entries");
    Replica.Step lacWithEntries = r.step(new Append(S, E1, 2, E1, List.of(entry(3, E1, "c")), 2, 0));
    assertTrue(assertInstanceOf(Persist.class, lacWithEntries.effects().get(0)).sync(), "entries, and lac with them");
    Replica.Step commit = r.step(new Commit(S, E1, 3));
    assertFalse(assertInstanceOf(Persist.class, commit.effects().get(0)).sync(), "lac alone");

    // Leaving limbo on a commit changes more than lac: it votes again, so that must be durable.
    R limbo = new R(ReplicaState.lostDisk(S, 1, "d1-new", Bugs.NONE));
    limbo.step(new Fence(S, E1));
    limbo.step(new Append(S, E2, 0, Epoch.NONE, List.of(entry(1, E2, "a"), entry(2, E2, "b")), 0, 0));
    limbo.step(new TailInfo(S, 0, E2, 2, false, Epoch.NONE));
    limbo.step(new TailInfo(S, 2, E2, 2, false, Epoch.NONE));
    assertTrue(limbo.s.limbo(), "not caught up: nothing committed yet");
    Replica.Step leave = limbo.step(new Commit(S, E2, 2));
    assertFalse(limbo.s.limbo());
    assertTrue(assertInstanceOf(Persist.class, leave.effects().get(0)).sync(), "leaving limbo");
  }

  @Test
  void aReplicaOnALostDiskIsInLimboUntilItCaughtUpWithEveryPeersTail() {
    R r = new R(ReplicaState.lostDisk(S, 1, "d1-new", Bugs.NONE));
    Replica.Step fence = r.step(new Fence(S, E1));
    assertInstanceOf(Unknown.class, reply(fence));
    assertEquals(E1, r.s.promised(), "remembered so older writers stay fenced");
    assertInstanceOf(ReadUnavailable.class, r.peek(Read.committed(S, 1, 0, 10, 1000)));

    Replica.Step append = r.step(new Append(S, E2, 0, Epoch.NONE, List.of(entry(1, E2, "a"), entry(2, E2, "b")), 1, 0));
    Ack ack = assertInstanceOf(Ack.class, reply(append));
    assertFalse(ack.voting(), "peers not heard from yet");
    assertTrue(r.s.limbo());

    r.step(new TailInfo(S, 0, E2, 3, false, Epoch.NONE));
    r.step(new TailInfo(S, 2, E2, 2, false, Epoch.NONE));
    assertTrue(r.s.limbo(), "a peer has seq 3 we may have acked before the loss");
    Replica.Step more = r.step(new Append(S, E2, 2, E2, List.of(entry(3, E2, "c")), 3, 0));
    assertFalse(r.s.limbo());
    assertTrue(assertInstanceOf(Ack.class, reply(more)).voting());
  }

  @Test
  void aLimboReplicaAdoptsThePeersPromiseAsItsFloor() {
    R r = new R(ReplicaState.lostDisk(S, 1, "d1-new", Bugs.NONE));
    r.step(new TailInfo(S, 0, E2, 0, false, Epoch.NONE));
    assertInstanceOf(Fenced.class, r.peek(new Append(S, E1, 0, Epoch.NONE, List.of(entry(1, E1, "old")), 0, 0)));
  }
}
