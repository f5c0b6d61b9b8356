package dev.sluice.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.actors.api.DataNotLocalYetException;
import dev.sluice.actors.api.ReadChunk;
import dev.sluice.actors.api.ShardedStreamGateway;
import dev.sluice.actors.api.StreamReader;
import dev.sluice.actors.api.StreamUnavailableException;
import dev.sluice.actors.tail.TailHub;
import dev.sluice.core.Bytes;
import dev.sluice.core.model.Segment;
import dev.sluice.core.protocol.Offset;
import dev.sluice.core.rules.Commands.StreamInfo;
import dev.sluice.core.rules.StreamView;
import dev.sluice.core.spi.DataUnit;
import dev.sluice.core.spi.StreamDataStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * On a replicated cluster a node's copy of a stream may trail the committed tail the owner
 * reported by a few milliseconds. A read must wait for it, never answer an empty range with an
 * advanced offset (the client would skip data), and give up with "unavailable" if it stays behind.
 */
class LocalCopyBehindTest {
  private static final long STORE = 7;

  /** A store holding "hello" at 0, and " world" at 5 only after {@code readsUntilCaughtUp} reads. */
  private static class CatchingUpStore implements StreamDataStore {
    final AtomicInteger reads = new AtomicInteger();
    final int readsUntilCaughtUp;

    CatchingUpStore(int readsUntilCaughtUp) {
      this.readsUntilCaughtUp = readsUntilCaughtUp;
    }

    private List<DataUnit> units() {
      List<DataUnit> u = new ArrayList<>(List.of(new DataUnit(0, Bytes.utf8("hello"))));
      if (reads.get() > readsUntilCaughtUp) u.add(new DataUnit(5, Bytes.utf8(" world")));
      return u;
    }

    @Override
    public List<DataUnit> read(long storeId, long fromPos, long toPos, int maxBytes) {
      reads.incrementAndGet();
      return units().stream().filter(x -> x.position() >= fromPos && x.position() < toPos).toList();
    }

    @Override
    public Optional<DataUnit> unitAt(long storeId, long position) {
      return units().stream().filter(x -> x.position() == position).findFirst();
    }

    @Override
    public long storedEnd(long storeId) {
      List<DataUnit> u = units();
      return u.get(u.size() - 1).end();
    }
  }

  private static StreamView view(long tail) {
    return new StreamView(new StreamInfo("text/plain", Offset.at(tail), false, null, null), STORE,
        List.of(new Segment(STORE, 0, tail)));
  }

  @Test
  void aReaderNeverSkipsARangeTheLocalCopyHasNotReceived() {
    StreamReader reader = new StreamReader(new CatchingUpStore(Integer.MAX_VALUE));
    assertThrows(DataNotLocalYetException.class, () -> reader.read(view(11), 5, 1 << 20));
    // From the start: the copy has "hello" but not " world" yet; a short answer would read as complete.
    assertThrows(DataNotLocalYetException.class, () -> reader.read(view(11), 0, 1 << 20));
    // A spent budget is not a lag: the reader comes back for the rest.
    assertEquals(List.of(Bytes.utf8("hello")), reader.read(view(11), 0, 5).units());
    // An offset inside the last unit is still an empty read, not a lag.
    ReadChunk inside = reader.read(view(5), 3, 1 << 20);
    assertEquals(List.of(), inside.units());
    assertEquals(5, inside.next().position());
  }

  @Test
  void theGatewayWaitsForTheLocalCopyAndThenAnswersInFull() throws Exception {
    CatchingUpStore store = new CatchingUpStore(3);
    var gateway = new ShardedStreamGateway(null, new TailHub(), new StreamReader(store), ForkJoinPool.commonPool(), Duration.ofSeconds(1));
    ReadChunk chunk = gateway.read(view(11), 0, 1 << 20).toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertEquals(List.of(Bytes.utf8("hello"), Bytes.utf8(" world")), chunk.units());
    assertTrue(chunk.upToDate());
  }

  /** The second unit lands right after the first read returned: the check that follows sees it. */
  private static final class LandsDuringTheRead extends CatchingUpStore {
    LandsDuringTheRead() {
      super(0);
    }

    @Override
    public List<DataUnit> read(long storeId, long fromPos, long toPos, int maxBytes) {
      List<DataUnit> before = reads.get() == 0 ? List.of(new DataUnit(0, Bytes.utf8("hello"))) : null;
      List<DataUnit> result = super.read(storeId, fromPos, toPos, maxBytes);
      return before != null ? before : result;
    }
  }

  @Test
  void dataThatLandsBetweenTheReadAndTheCheckIsReadAgainNotLeftOut() throws Exception {
    var gateway = new ShardedStreamGateway(null, new TailHub(), new StreamReader(new LandsDuringTheRead()),
        ForkJoinPool.commonPool(), Duration.ofSeconds(1));
    ReadChunk chunk = gateway.read(view(11), 0, 1 << 20).toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertEquals(List.of(Bytes.utf8("hello"), Bytes.utf8(" world")), chunk.units(), "a read-your-writes read is complete");
    assertTrue(chunk.upToDate());
  }

  /**
   * A read from the current end of the copy finds nothing yet, and " world" lands before the
   * completeness check: the check then says the copy is complete, which must not turn the empty
   * scan into "nothing here, continue at 11" (the reader would skip " world").
   */
  private static final class LandsAfterAnEmptyRead extends CatchingUpStore {
    LandsAfterAnEmptyRead() {
      super(0);
    }

    @Override
    public List<DataUnit> read(long storeId, long fromPos, long toPos, int maxBytes) {
      boolean first = reads.get() == 0;
      List<DataUnit> result = super.read(storeId, fromPos, toPos, maxBytes);
      return first ? List.of() : result;
    }
  }

  @Test
  void dataThatLandsBetweenAnEmptyReadAndTheCheckIsReadNotSkipped() throws Exception {
    var gateway = new ShardedStreamGateway(null, new TailHub(), new StreamReader(new LandsAfterAnEmptyRead()),
        ForkJoinPool.commonPool(), Duration.ofSeconds(1));
    ReadChunk chunk = gateway.read(view(11), 5, 1 << 20).toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertEquals(List.of(Bytes.utf8(" world")), chunk.units(), "the range that landed during the read is returned, not skipped");
    assertEquals(11, chunk.next().position());
  }

  @Test
  void aCopyThatStaysBehindIsUnavailableNotShort() {
    var gateway = new ShardedStreamGateway(null, new TailHub(), new StreamReader(new CatchingUpStore(Integer.MAX_VALUE)),
        ForkJoinPool.commonPool(), Duration.ofSeconds(1));
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> gateway.read(view(11), 5, 1 << 20).toCompletableFuture().get(30, TimeUnit.SECONDS));
    assertInstanceOf(StreamUnavailableException.class, e.getCause());
  }
}
