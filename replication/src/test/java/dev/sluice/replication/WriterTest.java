package dev.sluice.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.replication.Effect.Send;
import dev.sluice.replication.Message.Ack;
import dev.sluice.replication.Message.Append;
import dev.sluice.replication.Message.Appended;
import dev.sluice.replication.Message.ClientAppend;
import dev.sluice.replication.Message.Duplicate;
import dev.sluice.replication.Message.Fence;
import dev.sluice.replication.Message.Fenced;
import dev.sluice.replication.Message.Gap;
import dev.sluice.replication.Message.Probe;
import dev.sluice.replication.Message.ProbeOk;
import dev.sluice.replication.Message.Promise;
import dev.sluice.replication.Message.Read;
import dev.sluice.replication.Message.ReadOk;
import dev.sluice.replication.Message.Reason;
import dev.sluice.replication.Message.Reject;
import dev.sluice.replication.Message.Rejected;
import dev.sluice.replication.Message.Uncertain;
import dev.sluice.replication.Writer.Phase;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.opentest4j.AssertionFailedError;

class WriterTest {
  static final String S = "s";
  static final Address CLIENT = Address.client(7);
  static final long OLD = Epoch.of(1, 2);

  private Writer writer;
  private final List<Effect> effects = new ArrayList<>();

  private void open(Bugs bugs) {
    writer = Writer.create(S, 0, OLD, Writer.Settings.defaults(), bugs);
    effects.addAll(writer.start());
  }

  private void feed(int replica, Message.ToWriter m) {
    effects.addAll(writer.handle(Address.replica(replica), m));
  }

  private <T extends Message> List<T> sent(Class<T> type) {
    List<T> r = new ArrayList<>();
    for (Effect e : effects) if (e instanceof Send s && type.isInstance(s.message())) r.add(type.cast(s.message()));
    return r;
  }

  private <T extends Message> T first(Class<T> type) {
    List<T> all = sent(type);
    assertTrue(!all.isEmpty(), "no " + type.getSimpleName() + " sent");
    return all.get(0);
  }

  private Promise promise(int replica, long tailSeq, long tailEpoch, long lac) {
    return new Promise(S, replica, writer.epoch(), "d" + replica, tailSeq, tailEpoch, lac);
  }

  private static Entry entry(long seq, long epoch, String v, ProducerStamp p) {
    return new Entry(seq, epoch, Payload.utf8(v), p);
  }

  /** Opens over an empty stream and acks the (empty) recovery append from replicas 0 and 1. */
  private void serving() {
    open(Bugs.NONE);
    feed(0, promise(0, 0, Epoch.NONE, 0));
    feed(1, promise(1, 0, Epoch.NONE, 0));
    feed(0, new Ack(S, 0, writer.epoch(), 0, true));
    feed(1, new Ack(S, 1, writer.epoch(), 0, true));
    assertEquals(Phase.SERVING, writer.phase());
    effects.clear();
  }

  @Test
  void openingFencesAllThreeReplicasWithAnEpochAboveTheHighestSeen() {
    open(Bugs.NONE);
    List<Fence> fences = sent(Fence.class);
    assertEquals(3, fences.size());
    assertTrue(writer.epoch() > OLD);
    assertEquals(0, Epoch.node(writer.epoch()));
  }

  @Test
  void recoveryReadsTheLogWithTheNewestTailEpochNotTheLongest() {
    recoveryPicksTheNewestLog(Bugs.NONE);
  }

  @Test
  void recoveryRestampsTheUnacknowledgedSuffixAndCommitsItOnlyAfterTwoAcks() {
    recoveryRestampsAndRebuildsDedupe(Bugs.NONE);
  }

  /** Deterministic teeth for bugs the random simulator rarely reaches: the same checks must fail. */
  @ParameterizedTest
  @EnumSource(value = Bugs.Bug.class, names = {"SKIP_RECOVERY_REAPPEND", "NO_DEDUPE_REBUILD", "NO_RESTAMP"})
  void theRecoveryChecksCatchAWrongRecovery(Bugs.Bug bug) {
    assertThrows(AssertionFailedError.class, () -> recoveryRestampsAndRebuildsDedupe(Bugs.of(bug)));
  }

  @Test
  void theBestLogCheckCatchesPickingTheLongestLog() {
    assertThrows(AssertionFailedError.class, () -> recoveryPicksTheNewestLog(Bugs.of(Bugs.Bug.BEST_BY_SEQ_ONLY)));
  }

  private void recoveryPicksTheNewestLog(Bugs bugs) {
    open(bugs);
    feed(0, promise(0, 9, Epoch.of(1, 0), 2)); // longer, but written by an older writer: its suffix was never acked
    feed(1, promise(1, 5, Epoch.of(1, 1), 4));
    Read read = first(Read.class);
    assertEquals(writer.epoch(), read.recoveryEpoch());
    assertEquals(1, effects.stream().filter(e -> e instanceof Send s && s.message() instanceof Read && s.to().equals(Address.replica(1))).count(),
        "must read replica 1, whose log the newest writer wrote");
  }

  private void recoveryRestampsAndRebuildsDedupe(Bugs bugs) {
    open(bugs);
    feed(0, promise(0, 3, OLD, 1));
    feed(1, promise(1, 1, OLD, 1));
    assertEquals(Phase.READING, writer.phase());
    ProducerStamp p = new ProducerStamp("p", 0, 0);
    feed(0, new ReadOk(S, 0, writer.epoch(), 0, Epoch.NONE,
        List.of(entry(1, OLD, "a", null), entry(2, OLD, "b", p), entry(3, OLD, "c", null)), 1, 3));

    Append restamp = first(Append.class);
    assertEquals(1, restamp.prevSeq());
    assertEquals(OLD, restamp.prevEpoch());
    assertEquals(List.of(2L, 3L), restamp.entries().stream().map(Entry::seq).toList());
    assertTrue(restamp.entries().stream().allMatch(e -> e.epoch() == writer.epoch()), "adopted entries carry our epoch");
    assertEquals(Phase.RESTAMPING, writer.phase());
    assertEquals(1, writer.lac(), "the adopted suffix is not committed yet");

    feed(0, new Ack(S, 0, writer.epoch(), 3, true));
    assertEquals(Phase.RESTAMPING, writer.phase());
    feed(2, new Ack(S, 2, writer.epoch(), 3, true));
    assertEquals(Phase.SERVING, writer.phase());
    assertEquals(3, writer.lac());

    // The new owner rebuilt producer dedupe from the recovered log: a retry is a duplicate, not a new entry.
    effects.addAll(writer.handle(CLIENT, new ClientAppend(42, Payload.utf8("b"), p)));
    Duplicate dup = first(Duplicate.class);
    assertEquals(2, dup.offset());
    assertEquals(3, writer.tailSeq());
  }

  @Test
  void anAppendCompletesOnlyWhenTwoReplicasHoldItAndEveryEarlierOne() {
    serving();
    effects.addAll(writer.handle(CLIENT, new ClientAppend(1, Payload.utf8("x"), null)));
    effects.addAll(writer.handle(CLIENT, new ClientAppend(2, Payload.utf8("y"), null)));
    assertEquals(6, sent(Append.class).size());
    feed(0, new Ack(S, 0, writer.epoch(), 2, true));
    assertEquals(List.of(), sent(Appended.class), "one ack is not a quorum");
    feed(2, new Ack(S, 2, writer.epoch(), 1, true));
    assertEquals(List.of(1L), sent(Appended.class).stream().map(Appended::offset).toList());
    feed(2, new Ack(S, 2, writer.epoch(), 2, true));
    assertEquals(List.of(1L, 2L), sent(Appended.class).stream().map(Appended::offset).toList());
  }

  @Test
  void aNonVotingAckFromALimboReplicaDoesNotCommit() {
    serving();
    effects.addAll(writer.handle(CLIENT, new ClientAppend(1, Payload.utf8("x"), null)));
    feed(0, new Ack(S, 0, writer.epoch(), 1, true));
    feed(1, new Ack(S, 1, writer.epoch(), 1, false));
    assertEquals(0, writer.lac());
  }

  @Test
  void beingFencedDropsOwnershipAndLeavesPendingAppendsUncertain() {
    serving();
    effects.addAll(writer.handle(CLIENT, new ClientAppend(1, Payload.utf8("x"), null)));
    feed(1, new Fenced(S, 1, writer.epoch(), writer.epoch() + 1));
    assertEquals(Phase.CLOSED, writer.phase());
    assertEquals(1, sent(Uncertain.class).size());
    effects.clear();
    effects.addAll(writer.handle(CLIENT, new ClientAppend(2, Payload.utf8("y"), null)));
    assertEquals(Reason.NOT_OWNER, first(Rejected.class).reason());
  }

  @Test
  void anAppendTimeoutClosesTheWriter() {
    serving();
    effects.addAll(writer.handle(CLIENT, new ClientAppend(1, Payload.utf8("x"), null)));
    effects.addAll(writer.onTimer(new Writer.Timer.AppendDeadline(1)));
    assertEquals(Phase.CLOSED, writer.phase());
    assertEquals(Writer.CloseReason.TIMEOUT, writer.closeReason());
    assertEquals(1, sent(Uncertain.class).size());
  }

  @Test
  void aGapIsRepairedFromTheReplicasCommittedPoint() {
    serving();
    for (int i = 1; i <= 3; i++) effects.addAll(writer.handle(CLIENT, new ClientAppend(i, Payload.utf8("v" + i), null)));
    effects.clear();
    feed(2, new Gap(S, 2, writer.epoch(), 1, 1));
    Append repair = first(Append.class);
    assertEquals(1, repair.prevSeq());
    assertEquals(List.of(2L, 3L), repair.entries().stream().map(Entry::seq).toList());
  }

  @Test
  void aDefiniteProducerRejectionWaitsForAQuorumToConfirmOwnership() {
    serving();
    effects.addAll(writer.handle(CLIENT, new ClientAppend(1, Payload.utf8("x"), new ProducerStamp("p", 0, 5))));
    Probe probe = first(Probe.class);
    assertEquals(List.of(), sent(Rejected.class), "a zombie's dedupe table may be stale");
    feed(0, new ProbeOk(S, 0, writer.epoch(), probe.nonce()));
    feed(1, new ProbeOk(S, 1, writer.epoch(), probe.nonce()));
    assertEquals(Reason.PRODUCER_SEQ_GAP, first(Rejected.class).reason());
  }

  @Test
  void refusedFencesRetryWithAHigherEpochAfterABackoff() {
    open(Bugs.NONE);
    long first = writer.epoch();
    long higher = Epoch.of(7, 2);
    feed(1, new Reject(S, 1, first, higher));
    feed(2, new Reject(S, 2, first, higher));
    Effect.SetTimer retry = effects.stream().filter(e -> e instanceof Effect.SetTimer t && t.timer() instanceof Writer.Timer.FenceRetry)
        .map(Effect.SetTimer.class::cast).findFirst().orElseThrow();
    effects.clear();
    effects.addAll(writer.onTimer(retry.timer()));
    assertTrue(writer.epoch() > higher);
    assertEquals(3, sent(Fence.class).size());
  }
}
