package dev.sluice.persistence.rocksdb;

import dev.sluice.persistence.store.JournalStore;
import dev.sluice.persistence.store.JournalStoreContract;
import dev.sluice.persistence.support.TestStorage;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** The {@link JournalStoreContract} against the node-local RocksDB store. */
class LocalJournalStoreTest extends JournalStoreContract {
  private Path dir;
  private RocksDbStorage storage;
  private ExecutorService io;

  @Override
  protected JournalStore openStore() {
    dir = TestStorage.newDir("local-journal-store");
    storage = RocksDbStorage.open(TestStorage.settings(dir));
    io = Executors.newFixedThreadPool(2);
    return storage.journalStore(io);
  }

  @Override
  protected void closeStore() {
    io.shutdownNow();
    storage.close();
    TestStorage.deleteRecursively(dir);
  }
}
