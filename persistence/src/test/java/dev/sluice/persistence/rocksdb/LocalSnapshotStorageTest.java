package dev.sluice.persistence.rocksdb;

import dev.sluice.persistence.store.SnapshotStorage;
import dev.sluice.persistence.store.SnapshotStorageContract;
import dev.sluice.persistence.support.TestStorage.LocalStorage;

/** The {@link SnapshotStorageContract} against the node-local RocksDB storage. */
class LocalSnapshotStorageTest extends SnapshotStorageContract {
  private LocalStorage local;

  @Override
  protected SnapshotStorage openStorage() {
    local = LocalStorage.open("local-snapshot-storage");
    return local.storage().snapshotStorage(local.io());
  }

  @Override
  protected void closeStorage() {
    local.close();
  }
}
