package dev.sluice.persistence.rocksdb;

import dev.sluice.persistence.store.SnapshotStorage;
import dev.sluice.persistence.store.SnapshotStorageContract;
import dev.sluice.persistence.support.TestStorage;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** The {@link SnapshotStorageContract} against the node-local RocksDB storage. */
class LocalSnapshotStorageTest extends SnapshotStorageContract {
  private Path dir;
  private RocksDbStorage storage;
  private ExecutorService io;

  @Override
  protected SnapshotStorage openStorage() {
    dir = TestStorage.newDir("local-snapshot-storage");
    storage = RocksDbStorage.open(TestStorage.settings(dir));
    io = Executors.newFixedThreadPool(2);
    return storage.snapshotStorage(io);
  }

  @Override
  protected void closeStorage() {
    io.shutdownNow();
    storage.close();
    TestStorage.deleteRecursively(dir);
  }
}
