package dev.sluice.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.util.List;
import org.junit.jupiter.api.Test;

class ReplicaTest {
  static final String S = "s";
  static final Address W = Address.writer(0);
  static final long E1 = Epoch.of(1, 0);
  static final long E2 = Epoch.of(2, 1);

  static Entry entry(long seq, long epoch, String v) {
    return new Entry(seq, epoch, Payload.utf8(v), null);
  }

  static Replica.Step step(ReplicaState s, Message.ToReplica m) {
    return Replica.handle(s, W, m, Bugs.NONE);
  }

  static Message reply(Replica.Step st) {
    Effect last = st.effects().get(st.effects().size() - 1);
    return ((Send) last).message();
  }

  /** A replica holding entries 1..n written by epoch {@code e}, with the given lac. */
  static ReplicaState holding(long e, int n, long lac) {
    ReplicaState s = step(ReplicaState.empty(S, 1, "d1"), new Fence(S, e)).state();
    List<Entry> es = new java.util.ArrayList<>();
    for (int i = 1; i <= n; i++) es.add(entry(i, e, "v" + i + "@" + Epoch.show(e)));
    return step(s, new Append(S, e, 0, Epoch.NONE, es, lac)).state();
  }

  @Test
  void aPromiseIsPersistedBeforeItIsSent() {
    Replica.Step st = step(ReplicaState.empty(S, 1, "d1"), new Fence(S, E1));
    assertEquals(2, st.effects().size());
    Persist p = assertInstanceOf(Persist.class, st.effects().get(0));
    assertEquals(E1, p.state().promised());
    Promise promise = assertInstanceOf(Promise.class, reply(st));
    assertEquals(E1, promise.epoch());
    assertEquals("d1", promise.diskUuid());
  }

  @Test
  void aFenceAtOrBelowThePromiseIsRejectedWithoutWriting() {
    ReplicaState s = step(ReplicaState.empty(S, 1, "d1"), new Fence(S, E2)).state();
    for (long e : new long[] {E1, E2}) {
      Replica.Step st = step(s, new Fence(S, e));
      assertEquals(1, st.effects().size());
      assertEquals(E2, assertInstanceOf(Reject.class, reply(st)).promised());
    }
  }

  @Test
  void anAppendFromAnOlderEpochIsFencedAndChangesNothing() {
    ReplicaState s = holding(E1, 2, 1);
    s = step(s, new Fence(S, E2)).state();
    Replica.Step st = step(s, new Append(S, E1, 2, E1, List.of(entry(3, E1, "zombie")), 2));
    assertEquals(s, st.state());
    assertEquals(E2, assertInstanceOf(Fenced.class, reply(st)).promised());
  }

  @Test
  void anAppendPastTheTailAnswersGapWithTheTailAndLac() {
    ReplicaState s = holding(E1, 2, 1);
    Gap gap = assertInstanceOf(Gap.class, reply(step(s, new Append(S, E1, 4, E1, List.of(entry(5, E1, "x")), 3))));
    assertEquals(2, gap.tailSeq());
    assertEquals(1, gap.lac());
  }

  @Test
  void aMismatchedPrevEpochAboveLacIsAGapButTheCommittedPrefixIsTrusted() {
    ReplicaState s = holding(E1, 3, 1);
    Message aboveLac = reply(step(s, new Append(S, E2, 2, E2, List.of(entry(3, E2, "x")), 1)));
    assertInstanceOf(Gap.class, aboveLac);
    // Entry 1 is committed; recovery may have re-stamped it elsewhere, so its epoch is not compared.
    Replica.Step atLac = step(s, new Append(S, E2, 1, E2, List.of(entry(2, E2, "v2"), entry(3, E2, "v3")), 1));
    assertEquals(3, assertInstanceOf(Ack.class, reply(atLac)).lastSeq());
  }

  @Test
  void aNewerWriterTruncatesAStaleSuffixItDidNotWrite() {
    ReplicaState s = holding(E1, 4, 1);
    Replica.Step st = step(s, new Append(S, E2, 1, E1, List.of(entry(2, E2, "new2")), 1));
    assertEquals(2, st.state().tailSeq());
    assertEquals(E2, st.state().tailEpoch());
    assertEquals("new2", st.state().log().get(1).payload().utf8());
    assertEquals(E2, st.state().promised());
  }

  @Test
  void aReorderedOlderAppendFromTheSameWriterKeepsTheLongerLog() {
    ReplicaState s = holding(E1, 4, 2);
    Replica.Step st = step(s, new Append(S, E1, 1, E1, List.of(entry(2, E1, "v2@" + Epoch.show(E1))), 1));
    assertEquals(4, st.state().tailSeq());
    assertEquals(4, assertInstanceOf(Ack.class, reply(st)).lastSeq());
    assertEquals(List.of(), st.effects().subList(0, st.effects().size() - 1), "nothing changed, nothing to persist");
  }

  @Test
  void followerReadsStopAtLacButThePromisedRecovererSeesTheTail() {
    ReplicaState s = holding(E1, 4, 2);
    ReadOk committed = assertInstanceOf(ReadOk.class, reply(step(s, Read.committed(S, 7, 0, 100))));
    assertEquals(2, committed.entries().size());
    assertInstanceOf(ReadUnavailable.class, reply(step(s, new Read(S, 8, 0, 100, E2))), "no promise for E2 yet");
    s = step(s, new Fence(S, E2)).state();
    ReadOk recovery = assertInstanceOf(ReadOk.class, reply(step(s, new Read(S, 9, 0, 100, E2))));
    assertEquals(4, recovery.entries().size());
  }

  @Test
  void commitOnlyRaisesLacOnTheCommittingWritersOwnLog() {
    ReplicaState s = holding(E1, 4, 1);
    assertEquals(3, step(s, new Commit(S, E1, 3)).state().lac());
    assertEquals(1, step(s, new Commit(S, E2, 3)).state().lac(), "our suffix may not be E2's");
    assertEquals(4, step(s, new Commit(S, E1, 9)).state().lac(), "never above our tail");
  }

  @Test
  void aReplicaOnALostDiskIsInLimboUntilItCaughtUpWithEveryPeersTail() {
    ReplicaState s = ReplicaState.lostDisk(S, 1, "d1-new", Bugs.NONE);
    Replica.Step fence = step(s, new Fence(S, E1));
    assertInstanceOf(Unknown.class, reply(fence));
    s = fence.state();
    assertEquals(E1, s.promised(), "remembered so older writers stay fenced");
    assertInstanceOf(ReadUnavailable.class, reply(step(s, Read.committed(S, 1, 0, 10))));

    Replica.Step append = step(s, new Append(S, E2, 0, Epoch.NONE, List.of(entry(1, E2, "a"), entry(2, E2, "b")), 2));
    Ack ack = assertInstanceOf(Ack.class, reply(append));
    assertFalse(ack.voting(), "peers not heard from yet");
    s = append.state();
    assertTrue(s.limbo());

    s = step(s, new TailInfo(S, 0, E2, 3, false)).state();
    s = step(s, new TailInfo(S, 2, E2, 2, false)).state();
    assertTrue(s.limbo(), "a peer has seq 3 we may have acked before the loss");
    Replica.Step more = step(s, new Append(S, E2, 2, E2, List.of(entry(3, E2, "c")), 3));
    assertFalse(more.state().limbo());
    assertTrue(assertInstanceOf(Ack.class, reply(more)).voting());
  }

  @Test
  void aLimboReplicaAdoptsThePeersPromiseAsItsFloor() {
    ReplicaState s = ReplicaState.lostDisk(S, 1, "d1-new", Bugs.NONE);
    s = step(s, new TailInfo(S, 0, E2, 0, false)).state();
    assertInstanceOf(Fenced.class, reply(step(s, new Append(S, E1, 0, Epoch.NONE, List.of(entry(1, E1, "old")), 0))));
  }
}
