package dev.sluice.persistence.rocksdb;

import dev.sluice.persistence.store.JournalStore;
import dev.sluice.persistence.store.JournalStoreContract;
import dev.sluice.persistence.support.TestStorage.LocalStorage;

/** The {@link JournalStoreContract} against the node-local RocksDB store. */
class LocalJournalStoreTest extends JournalStoreContract {
  private LocalStorage local;

  @Override
  protected JournalStore openStore() {
    local = LocalStorage.open("local-journal-store");
    return local.storage().journalStore(local.io());
  }

  @Override
  protected void closeStore() {
    local.close();
  }
}
