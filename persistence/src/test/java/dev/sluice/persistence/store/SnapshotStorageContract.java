package dev.sluice.persistence.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sluice.core.Bytes;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.persistence.SnapshotSelectionCriteria;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link SnapshotStorage} must do, written once: run by {@code LocalSnapshotStorageTest}
 * against the node-local store, and meant for the replicated one too. The Pekko snapshot-store TCK
 * covers the plugin on top.
 */
public abstract class SnapshotStorageContract {
  private static final long TIMEOUT_S = 10;
  private static final SnapshotSelectionCriteria ALL =
      new SnapshotSelectionCriteria(Long.MAX_VALUE, Long.MAX_VALUE, 0, 0);
  private SnapshotStorage storage;

  /** A fresh, empty storage. */
  protected abstract SnapshotStorage openStorage();

  /** Releases what {@link #openStorage()} opened. */
  protected abstract void closeStorage();

  @BeforeEach
  void open() {
    storage = openStorage();
  }

  @AfterEach
  void close() {
    closeStorage();
  }

  private static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(TIMEOUT_S, TimeUnit.SECONDS);
  }

  private static SnapshotRecord snapshot(long timestamp) {
    return new SnapshotRecord(0, timestamp, new SerializedBlob(0, "", Bytes.utf8("state@" + timestamp)),
        Optional.empty());
  }

  private Optional<Long> latestSeq(StreamKey s, SnapshotSelectionCriteria c) throws Exception {
    return await(storage.loadLatest(s, c)).map(SnapshotStorage.StoredSnapshot::seqNr);
  }

  /** Snapshots at 10, 20, 30 with timestamps 100, 200, 300; the futures are not awaited. */
  private void saveThreeWithoutWaiting(StreamKey s) {
    for (long seq = 10; seq <= 30; seq += 10) {
      storage.save(s, seq, snapshot(seq * 10));
    }
  }

  @Test
  void theLatestSnapshotWithinTheCriteriaIsLoaded() throws Exception {
    StreamKey s = StreamKey.of("snaps");
    saveThreeWithoutWaiting(s); // a load must see saves submitted before it
    assertEquals(Optional.of(new SnapshotStorage.StoredSnapshot(30, snapshot(300))), await(storage.loadLatest(s, ALL)));
    assertEquals(Optional.of(20L), latestSeq(s, new SnapshotSelectionCriteria(25, Long.MAX_VALUE, 0, 0)));
    assertEquals(Optional.of(10L), latestSeq(s, new SnapshotSelectionCriteria(Long.MAX_VALUE, 150, 0, 0)));
    assertEquals(Optional.empty(), latestSeq(s, new SnapshotSelectionCriteria(5, Long.MAX_VALUE, 0, 0)));
    assertEquals(Optional.empty(), latestSeq(StreamKey.of("snaps-other"), ALL));
  }

  @Test
  void deleteRemovesExactlyTheMatchingSnapshots() throws Exception {
    StreamKey s = StreamKey.of("snap-deletes");
    saveThreeWithoutWaiting(s); // a delete must see saves submitted before it
    await(storage.delete(s, new SnapshotSelectionCriteria(30, 250, 0, 0)));
    assertEquals(Optional.of(30L), latestSeq(s, ALL));
    assertEquals(Optional.empty(), latestSeq(s, new SnapshotSelectionCriteria(29, Long.MAX_VALUE, 0, 0)));
    await(storage.save(s, 30, snapshot(301)));
    assertEquals(Optional.of(new SnapshotStorage.StoredSnapshot(30, snapshot(301))), await(storage.loadLatest(s, ALL)),
        "a save replaces the snapshot at its sequence number");
    await(storage.delete(s, ALL));
    assertEquals(Optional.empty(), latestSeq(s, ALL));
  }
}
