package dev.sluice.persistence.rocksdb;

import dev.sluice.persistence.store.JournalStore;
import dev.sluice.persistence.store.StreamKey;
import dev.sluice.persistence.support.TestStorage;
import dev.sluice.replication.ReplicaState;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A node's storage in a temp directory, opened at the handle level so tests can reopen it (a crash
 * between batches is a close without the later persist: every acknowledged batch was fsynced) and
 * hold the writer thread (so several persists land in ONE batch).
 */
final class ReplicaStoreFixture implements AutoCloseable {
  static final long TIMEOUT_S = 10;

  final Path dir;
  private final RocksDbSettings settings;
  private final RocksDbHandle.DiskSpace diskSpace;
  private final ExecutorService io = Executors.newFixedThreadPool(2);
  RocksDbHandle handle;
  RocksDbReplicaStore store;

  ReplicaStoreFixture(String prefix) {
    this(prefix, TestStorage.settings(TestStorage.newDir(prefix)), () -> Long.MAX_VALUE);
  }

  ReplicaStoreFixture(String prefix, RocksDbSettings settings, RocksDbHandle.DiskSpace diskSpace) {
    this.dir = settings.dir();
    this.settings = settings;
    this.diskSpace = diskSpace;
    open();
  }

  private void open() {
    handle = RocksDbHandle.open(settings, diskSpace);
    store = RocksDbReplicaStore.open(handle, 0, false);
  }

  /** Closes the database (everything acknowledged is durable) and opens it again. */
  void reopen() {
    handle.close();
    open();
  }

  String disk() {
    return store.diskUuid();
  }

  /** A non-limbo meta of this replica. */
  ReplicaState state(String stream, long tail, long tailEpoch, long lac) {
    return new ReplicaState(stream, 0, disk(), tailEpoch, tail, tailEpoch, lac, false, 0, 0, 0);
  }

  JournalStore journal() {
    return new LocalJournalStore(handle, io);
  }

  RocksDbStreamDataStore data() {
    return new RocksDbStreamDataStore(handle);
  }

  /** Every event text the local journal replays for {@code stream}. */
  List<String> replay(String stream) throws Exception {
    List<String> seen = new ArrayList<>();
    await(journal().replay(StreamKey.of(stream), 0, Long.MAX_VALUE, Long.MAX_VALUE,
        e -> seen.add(e.record().repr().bytes().utf8String())));
    return seen;
  }

  long highestSequenceNr(String stream) throws Exception {
    return await(journal().highestSequenceNr(StreamKey.of(stream)));
  }

  /**
   * Blocks the writer thread until the returned latch is released: everything submitted meanwhile
   * is drained into one batch afterwards.
   */
  CountDownLatch holdWriter() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch holding = new CountDownLatch(1);
    handle.writer().submitIsolated(committed -> {
      holding.countDown();
      release.await(TIMEOUT_S, TimeUnit.SECONDS);
      return List.of();
    });
    holding.await(TIMEOUT_S, TimeUnit.SECONDS);
    return release;
  }

  static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(TIMEOUT_S, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    io.shutdownNow();
    handle.close();
    TestStorage.deleteRecursively(dir);
  }
}
