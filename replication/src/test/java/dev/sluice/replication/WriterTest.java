package dev.sluice.replication;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.replication.Effect.Send;
import dev.sluice.replication.Message.Ack;
import dev.sluice.replication.Message.Append;
import dev.sluice.replication.Message.Appended;
import dev.sluice.replication.Message.ClientAppend;
import dev.sluice.replication.Message.Commit;
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
    open(Writer.Settings.defaults(), bugs);
  }

  private void open(Writer.Settings settings, Bugs bugs) {
    writer = Writer.create(S, 0, OLD, settings, bugs);
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
    serving(Writer.Settings.defaults());
  }

  private void serving(Writer.Settings settings) {
    open(settings, Bugs.NONE);
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
  void matchedIsWhatEachReplicaAcknowledgedLoweredByAGap() {
    open(Bugs.NONE);
    feed(0, promise(0, 0, Epoch.NONE, 0));
    assertArrayEquals(new long[3], writer.matched(), "nothing is acknowledged while fencing");
    feed(1, promise(1, 0, Epoch.NONE, 0));
    feed(0, new Ack(S, 0, writer.epoch(), 0, true));
    feed(1, new Ack(S, 1, writer.epoch(), 0, true));
    append(3);
    feed(0, new Ack(S, 0, writer.epoch(), 3, true));
    feed(1, new Ack(S, 1, writer.epoch(), 2, true));
    feed(2, new Ack(S, 2, writer.epoch(), 1, false));
    assertArrayEquals(new long[] {3, 2, 1}, writer.matched(), "a non-voting ack still says what the replica holds");
    feed(0, new Gap(S, 0, writer.epoch(), 1, 1));
    assertArrayEquals(new long[] {1, 2, 1}, writer.matched(), "a replica that lost its suffix holds only up to its lac");
    writer.matched()[1] = 99;
    assertEquals(2, writer.matched()[1], "a copy");
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

  // ------------------------------------------------------------------ paging, window, catch-up

  private void append(int n) {
    for (int i = 1; i <= n; i++) effects.addAll(writer.handle(CLIENT, new ClientAppend(i, Payload.utf8("v" + i), null)));
  }

  private Append lastAppendTo(int replica) {
    Append last = null;
    for (Effect e : effects) if (e instanceof Send s && s.to().equals(Address.replica(replica)) && s.message() instanceof Append a) last = a;
    assertTrue(last != null, "nothing appended to replica " + replica);
    return last;
  }

  private Read lastReadTo(int replica) {
    Read last = null;
    for (Effect e : effects) if (e instanceof Send s && s.to().equals(Address.replica(replica)) && s.message() instanceof Read r) last = r;
    assertTrue(last != null, "no read sent to replica " + replica);
    return last;
  }

  private static List<Long> seqs(List<Entry> es) {
    return es.stream().map(Entry::seq).toList();
  }

  @Test
  void withoutDedupeRecoveryPagesThroughOnlyTheUncommittedSuffixAndReStampsItAsOneMessage() {
    open(Writer.Settings.defaults().withProducerDedupe(false).withSizes(2, Message.MAX_BATCH_BYTES, 2, Message.MAX_BATCH_BYTES, 10, 1 << 20), Bugs.NONE);
    feed(0, promise(0, 5, OLD, 2));
    feed(1, promise(1, 4, OLD, 1));
    Read first = lastReadTo(0);
    assertEquals(2, first.fromSeq(), "C = 2: nothing at or below it is needed");
    assertEquals(2, first.max());
    feed(0, new ReadOk(S, 0, writer.epoch(), 2, OLD, List.of(entry(3, OLD, "c", null), entry(4, OLD, "d", null)), 2, 5));
    assertEquals(4, lastReadTo(0).fromSeq());
    feed(0, new ReadOk(S, 0, writer.epoch(), 2, OLD, List.of(entry(3, OLD, "c", null), entry(4, OLD, "d", null)), 2, 5)); // duplicate page
    feed(0, new ReadOk(S, 0, writer.epoch(), 4, OLD, List.of(entry(5, OLD, "e", null)), 2, 5));
    Append restamp = first(Append.class);
    assertEquals(2, restamp.prevSeq());
    assertEquals(OLD, restamp.prevEpoch(), "entry C's epoch came with the first page");
    assertEquals(List.of(3L, 4L, 5L), seqs(restamp.entries()), "one message although appends are budgeted at 2 entries");
    assertEquals(3, sent(Append.class).size());
    assertEquals(2, writer.stats().recoveryPages());
  }

  @Test
  void recoveryThatFindsTheBestLogShorterThanPromisedGivesUp() {
    open(Writer.Settings.defaults().withProducerDedupe(false), Bugs.NONE);
    feed(0, promise(0, 5, OLD, 2));
    feed(1, promise(1, 4, OLD, 1));
    feed(0, new ReadOk(S, 0, writer.epoch(), 2, OLD, List.of(entry(3, OLD, "c", null)), 2, 3));
    assertEquals(Phase.CLOSED, writer.phase());
    assertEquals(Writer.CloseReason.INCONSISTENT, writer.closeReason());
  }

  @Test
  void theWindowKeepsOnlyWhatSomeReplicaHasNotAckedUpToTheRetentionBudget() {
    serving(Writer.Settings.defaults().withSizes(100, Message.MAX_BATCH_BYTES, 100, Message.MAX_BATCH_BYTES, 2, 1 << 20));
    append(5);
    feed(0, new Ack(S, 0, writer.epoch(), 5, true));
    feed(1, new Ack(S, 1, writer.epoch(), 5, true));
    assertEquals(5, writer.lac());
    assertEquals(List.of(4L, 5L), seqs(writer.window()), "replica 2 lags: keep 2 committed entries for it, no more");
    feed(2, new Ack(S, 2, writer.epoch(), 5, true));
    assertEquals(List.of(), seqs(writer.window()), "everyone has everything");
    assertEquals(5, writer.windowBase());
    append(1);
    assertEquals(List.of(6L), seqs(writer.window()), "uncommitted entries always stay");
  }

  @Test
  void theWriterReportsEachCommittedRangeOnce() {
    serving();
    append(3);
    feed(0, new Ack(S, 0, writer.epoch(), 2, true));
    feed(1, new Ack(S, 1, writer.epoch(), 2, true));
    feed(1, new Ack(S, 1, writer.epoch(), 3, true));
    feed(2, new Ack(S, 2, writer.epoch(), 3, true));
    List<Effect.Committed> committed = effects.stream().filter(Effect.Committed.class::isInstance).map(Effect.Committed.class::cast).toList();
    assertEquals(List.of(new Effect.Committed(0, 2), new Effect.Committed(2, 3)), committed);
  }

  @Test
  void catchUpChunksRespectTheAppendBudgetAndABigEntryTravelsAlone() {
    serving(Writer.Settings.defaults().withSizes(10, 200, 10, 200, 100, 1 << 20));
    append(2);
    effects.addAll(writer.handle(CLIENT, new ClientAppend(3, new Payload(new byte[500]), null)));
    append(1);
    effects.clear();
    feed(2, new Gap(S, 2, writer.epoch(), 0, 0));
    assertEquals(List.of(1L, 2L), seqs(lastAppendTo(2).entries()));
    feed(2, new Ack(S, 2, writer.epoch(), 2, true));
    assertEquals(List.of(3L), seqs(lastAppendTo(2).entries()));
    feed(2, new Ack(S, 2, writer.epoch(), 3, true));
    assertEquals(List.of(4L), seqs(lastAppendTo(2).entries()));
    int before = sent(Append.class).size();
    feed(2, new Gap(S, 2, writer.epoch(), 3, 0));
    feed(2, new Gap(S, 2, writer.epoch(), 3, 0));
    assertEquals(before + 1, sent(Append.class).size(), "a burst of Gaps from one point is answered once");
  }

  @Test
  void aReplicaBehindTheWindowIsCaughtUpThroughAPeerOneBoundedPageAtATime() {
    serving(Writer.Settings.defaults().withSizes(2, Message.MAX_BATCH_BYTES, 2, Message.MAX_BATCH_BYTES, 0, 0));
    append(5);
    feed(0, new Ack(S, 0, writer.epoch(), 5, true));
    feed(1, new Ack(S, 1, writer.epoch(), 5, true));
    assertEquals(5, writer.windowBase(), "nothing committed is retained");
    effects.clear();

    feed(2, new Gap(S, 2, writer.epoch(), 0, 0));
    for (long from = 0; from < 5; ) {
      Read read = lastReadTo(0); // our own node's replica first: a local read
      assertEquals(Epoch.NONE, read.recoveryEpoch(), "committed entries only");
      assertEquals(from, read.fromSeq());
      List<Entry> page = new ArrayList<>();
      for (long s = from + 1; s <= Math.min(5, from + read.max()); s++) page.add(entry(s, writer.epoch(), "v" + s, null));
      effects.clear();
      feed(0, new ReadOk(S, 0, read.requestId(), from, from == 0 ? Epoch.NONE : writer.epoch(), page, 5, 5));
      Append forwarded = lastAppendTo(2);
      assertEquals(from, forwarded.prevSeq());
      assertEquals(seqs(page), seqs(forwarded.entries()));
      assertTrue(forwarded.lastSeq() <= forwarded.lac(), "committed-only, so a replica that has not adopted us takes it as a fill");
      from = forwarded.lastSeq();
      feed(2, new Ack(S, 2, writer.epoch(), from, true));
    }
    assertEquals(3, writer.stats().peerFetches());
    assertEquals(5, writer.stats().forwardedEntries());
  }

  @Test
  void aFetchThatComesBackEmptyIsRetriedFromTheOtherPeer() {
    serving(Writer.Settings.defaults().withSizes(2, Message.MAX_BATCH_BYTES, 2, Message.MAX_BATCH_BYTES, 0, 0));
    append(3);
    feed(0, new Ack(S, 0, writer.epoch(), 3, true));
    feed(1, new Ack(S, 1, writer.epoch(), 3, true));
    feed(2, new Gap(S, 2, writer.epoch(), 0, 0));
    Read read = lastReadTo(0);
    feed(0, new ReadOk(S, 0, read.requestId(), 0, Epoch.NONE, List.of(), 0, 0)); // its lac has not caught up yet
    effects.clear();
    effects.addAll(writer.onTimer(new Writer.Timer.Heartbeat()));
    effects.addAll(writer.onTimer(new Writer.Timer.Heartbeat()));
    assertEquals(0, lastReadTo(1).fromSeq());
  }

  /**
   * A follower serves reads only up to the lac it knows. Found through a 3-node cluster: reads via a
   * node that does not own the stream waited up to a heartbeat (100 ms) after every acknowledged
   * append, and the conformance suite's property tests ran out of their 5 s.
   */
  @Test
  void theNewCommitPointGoesToEveryReplicaAtOnceAndAnIdleStreamFallsSilent() {
    serving();
    effects.addAll(writer.handle(CLIENT, new ClientAppend(1, Payload.utf8("x"), null)));
    feed(0, new Ack(S, 0, writer.epoch(), 1, true));
    effects.clear();
    feed(1, new Ack(S, 1, writer.epoch(), 1, true));
    assertEquals(1, writer.lac());
    List<Commit> commits = sent(Commit.class);
    assertEquals(3, commits.size(), "every replica hears lac 1 with the acknowledgement, not a beat later");
    assertTrue(commits.stream().allMatch(c -> c.lac() == 1));
    int beats = 0;
    while (true) {
      effects.clear();
      effects.addAll(writer.onTimer(new Writer.Timer.Heartbeat()));
      if (sent(Commit.class).isEmpty()) break;
      assertTrue(++beats <= 5, "an idle stream keeps announcing its commit point");
    }
    assertTrue(beats >= 1, "a lost announcement is repeated at least once");
  }
}
