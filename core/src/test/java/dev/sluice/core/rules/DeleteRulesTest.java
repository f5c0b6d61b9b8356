package dev.sluice.core.rules;

import static dev.sluice.core.rules.Fx.T0;
import static dev.sluice.core.rules.Fx.TEXT;
import static dev.sluice.core.rules.Fx.appended;
import static dev.sluice.core.rules.Fx.closeOnly;
import static dev.sluice.core.rules.Fx.created;
import static dev.sluice.core.rules.Fx.post;
import static dev.sluice.core.rules.Fx.put;
import static dev.sluice.core.rules.Fx.rejected;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.Bytes;
import dev.sluice.core.error.ErrorCode;
import dev.sluice.core.model.StreamEvent;
import dev.sluice.core.model.StreamState;
import dev.sluice.core.model.StreamStatus;
import dev.sluice.core.rules.Commands.ForkRequest;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Checklist §7 delete, soft delete and cascading GC. */
class DeleteRulesTest {

  private static StreamState withForks(String... children) {
    StreamState s = appended(created(TEXT), post(TEXT, "hello"));
    for (String c : children) s = s.apply(new StreamEvent.ForkAdded(c));
    return s;
  }

  private static StreamState softDeleted(String... children) {
    StreamState s = withForks(children);
    return Fx.apply(s, StreamRules.delete(s, Set.of(children), T0));
  }

  @Test
  void deletingAMissingStreamIsNotFound() {
    assertEquals(ErrorCode.STREAM_NOT_FOUND, StreamRules.checkDelete(StreamState.EMPTY).code());
  }

  @Test
  void deletingASoftDeletedStreamIsGone() {
    assertEquals(ErrorCode.STREAM_GONE, StreamRules.checkDelete(softDeleted("/f")).code());
  }

  @Test
  void anActiveStreamCanBeDeletedEvenWhenClosed() {
    assertNull(StreamRules.checkDelete(created(TEXT)));
    assertNull(StreamRules.checkDelete(appended(created(TEXT), closeOnly())));
  }

  @Test
  void deletingAStreamWithoutForksPurgesIt() {
    StreamState s = withForks();
    List<StreamEvent> evs = StreamRules.delete(s, Set.of(), T0);
    assertEquals(List.of(new StreamEvent.Purged(1)), evs);
    StreamState after = Fx.apply(s, evs);
    assertSame(StreamState.EMPTY, after);
    assertEquals(ErrorCode.STREAM_NOT_FOUND, StreamRules.checkReadable(after).code());
  }

  @Test
  void deletingAStreamWithLiveForksSoftDeletesItAndKeepsItsData() {
    StreamState s = withForks("/a", "/b");
    List<StreamEvent> evs = StreamRules.delete(s, Set.of("/a", "/b"), T0 + 5);
    assertEquals(List.of(new StreamEvent.SoftDeleted(T0 + 5)), evs);
    StreamState after = Fx.apply(s, evs);
    assertEquals(StreamStatus.SOFT_DELETED, after.status());
    assertEquals(s.readPath(), after.readPath());
    assertEquals(s.forks(), after.forks());
    assertEquals(s.tail(), after.tail());
  }

  @Test
  void forksThatNoLongerExistAreReleasedDuringDelete() {
    StreamState s = withForks("/a", "/b", "/c");
    List<StreamEvent> evs = StreamRules.delete(s, Set.of("/b"), T0);
    assertEquals(List.of(new StreamEvent.ForkReleased("/a"), new StreamEvent.ForkReleased("/c"), new StreamEvent.SoftDeleted(T0)), evs);
    StreamState after = Fx.apply(s, evs);
    assertEquals(Set.of("/b"), after.forks());
    assertEquals(StreamStatus.SOFT_DELETED, after.status());
  }

  @Test
  void whenNoForkIsAliveDeleteReleasesThemAllAndPurges() {
    StreamState s = withForks("/a", "/b");
    List<StreamEvent> evs = StreamRules.delete(s, Set.of(), T0);
    assertEquals(List.of(new StreamEvent.ForkReleased("/a"), new StreamEvent.ForkReleased("/b"), new StreamEvent.Purged(1)), evs);
    assertSame(StreamState.EMPTY, Fx.apply(s, evs));
  }

  @Test
  void aSoftDeletedStreamAnswersGoneForReadsAndAppendsAndConflictForPutAndFork() {
    StreamState s = softDeleted("/f");
    assertEquals(ErrorCode.STREAM_GONE, StreamRules.checkReadable(s).code());
    assertEquals(ErrorCode.STREAM_GONE, rejected(StreamRules.append(s, post(TEXT, "x"), T0)).code());
    assertEquals(ErrorCode.STREAM_GONE, rejected(StreamRules.append(s, closeOnly(), T0)).code());
    var check = StreamRules.checkCreate(s, put(TEXT));
    assertEquals(ErrorCode.STREAM_SOFT_DELETED, rejected(((StreamRules.CreateCheck.Done) check).decision()).code());
    assertEquals(ErrorCode.FORK_SOURCE_SOFT_DELETED,
        rejected(StreamRules.acquireFork(s, "/g", new ForkRequest("/src", null, 0), null)).code());
  }

  @Test
  void releasingAnUnknownForkDoesNothing() {
    assertEquals(List.of(), StreamRules.releaseFork(withForks("/a"), "/zzz"));
    assertEquals(List.of(), StreamRules.releaseFork(StreamState.EMPTY, "/a"));
  }

  @Test
  void releasingAForkOfAnActiveStreamOnlyUnpinsIt() {
    StreamState s = withForks("/a");
    List<StreamEvent> evs = StreamRules.releaseFork(s, "/a");
    assertEquals(List.of(new StreamEvent.ForkReleased("/a")), evs);
    StreamState after = Fx.apply(s, evs);
    assertEquals(StreamStatus.ACTIVE, after.status());
    assertTrue(after.forks().isEmpty());
  }

  @Test
  void releasingOneOfSeveralForksOfASoftDeletedStreamKeepsIt() {
    StreamState s = softDeleted("/a", "/b");
    List<StreamEvent> evs = StreamRules.releaseFork(s, "/a");
    assertEquals(List.of(new StreamEvent.ForkReleased("/a")), evs);
    assertEquals(StreamStatus.SOFT_DELETED, Fx.apply(s, evs).status());
  }

  @Test
  void releasingTheLastForkOfASoftDeletedStreamPurgesIt() {
    StreamState s = softDeleted("/a");
    List<StreamEvent> evs = StreamRules.releaseFork(s, "/a");
    assertEquals(List.of(new StreamEvent.ForkReleased("/a"), new StreamEvent.Purged(1)), evs);
    assertSame(StreamState.EMPTY, Fx.apply(s, evs));
  }

  @Test
  void releasingTheSameForkTwiceIsHarmless() {
    StreamState s = softDeleted("/a", "/b");
    s = Fx.apply(s, StreamRules.releaseFork(s, "/a"));
    assertEquals(List.of(), StreamRules.releaseFork(s, "/a"));
    assertEquals(StreamStatus.SOFT_DELETED, s.status());
  }

  @Test
  void cascadingGcPurgesAChainOfSoftDeletedSourcesBottomUp() {
    // A <- B <- C, each created via the rules; A and B soft-deleted while their fork lives.
    StreamState a = appended(created(put(TEXT), 1, T0), post(TEXT, "aaaa"));
    var bReq = new Commands.Create(null, null, null, false, Bytes.EMPTY, new ForkRequest("/a", null, 0));
    var gb = Fx.accepted(StreamRules.acquireFork(a, "/b", bReq.fork(), null));
    a = Fx.apply(a, gb.events());
    StreamState b = Fx.applyAll(StreamState.EMPTY, StreamRules.create(StreamState.EMPTY, bReq, 2, gb.reply(), null, T0));
    b = appended(b, post(TEXT, "bb"));
    var cReq = new Commands.Create(null, null, null, false, Bytes.EMPTY, new ForkRequest("/b", null, 0));
    var gc = Fx.accepted(StreamRules.acquireFork(b, "/c", cReq.fork(), null));
    b = Fx.apply(b, gc.events());
    StreamState c = Fx.applyAll(StreamState.EMPTY, StreamRules.create(StreamState.EMPTY, cReq, 3, gc.reply(), null, T0));

    a = Fx.apply(a, StreamRules.delete(a, Set.of("/b"), T0));
    b = Fx.apply(b, StreamRules.delete(b, Set.of("/c"), T0));
    assertEquals(StreamStatus.SOFT_DELETED, a.status());
    assertEquals(StreamStatus.SOFT_DELETED, b.status());
    // The fork still reads the whole chain's data.
    assertEquals(List.of(new dev.sluice.core.model.Segment(1, 0, 4), new dev.sluice.core.model.Segment(2, 4, 6),
        new dev.sluice.core.model.Segment(3, 6, 6)), c.readPath());

    // Deleting C: it has no forks, so it is purged; it tells its source (from its fork origin).
    List<StreamEvent> cEvents = StreamRules.delete(c, Set.of(), T0);
    assertEquals(List.of(new StreamEvent.Purged(3)), cEvents);
    String cSource = c.fork().sourcePath();
    assertEquals("/b", cSource);
    List<StreamEvent> bEvents = StreamRules.releaseFork(b, "/c");
    assertInstanceOf(StreamEvent.Purged.class, bEvents.get(bEvents.size() - 1));
    String bSource = b.fork().sourcePath();
    assertEquals("/a", bSource);
    List<StreamEvent> aEvents = StreamRules.releaseFork(a, "/b");
    assertEquals(List.of(new StreamEvent.ForkReleased("/b"), new StreamEvent.Purged(1)), aEvents);
    assertSame(StreamState.EMPTY, Fx.apply(a, aEvents));
  }

  @Test
  void deletingAMiddleLinkKeepsTheDataItsForksDependOn() {
    StreamState b = withForks("/c");
    StreamState after = Fx.apply(b, StreamRules.delete(b, Set.of("/c"), T0));
    assertEquals(StreamStatus.SOFT_DELETED, after.status());
    assertEquals(b.storeId(), after.storeId());
    assertEquals(b.readPath(), after.readPath());
  }
}
