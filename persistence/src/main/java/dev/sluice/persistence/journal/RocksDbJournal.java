package dev.sluice.persistence.journal;

import com.typesafe.config.Config;
import dev.sluice.persistence.rocksdb.RocksDbStorage;
import dev.sluice.persistence.store.JournalStore;

/**
 * Pekko Persistence journal plugin over the node's RocksDB ({@link RocksDbStorage}). Plugin id
 * {@code sluice.persistence.journal}; enable it with
 * {@code pekko.persistence.journal.plugin = "sluice.persistence.journal"}.
 *
 * <ul>
 *   <li>Every {@code AtomicWrite} is atomic; all AtomicWrites of one call share one synced batch,
 *       and a write is acknowledged only after that batch was fsynced (group commit across all
 *       streams of the node).
 *   <li>Serialization failures reject the AtomicWrite (not stored); storage failures fail the call.
 *   <li>Events implementing {@code IndexedData} / {@code PurgesData} also write / purge the
 *       {@code data} column family in the same batch.
 *   <li>Deletes never lower the highest sequence number.
 *   <li>Tags are dropped (no eventsByTag); metadata is kept.
 * </ul>
 *
 * <p>An actor: confined to its own dispatcher. It does Pekko serialization ({@link JournalWrites})
 * and talks to storage only through the {@link JournalStore} contract.
 */
public final class RocksDbJournal extends JournalStorePlugin {
  private final JournalStore store;

  public RocksDbJournal(Config pluginConfig, String configPath) {
    PluginSettings settings = PluginSettings.fromConfig(pluginConfig, configPath);
    this.store = RocksDbStorage.get(context().system())
        .journalStore(context().system().dispatchers().lookup(settings.ioDispatcher()));
  }

  @Override
  protected JournalStore store() {
    return store;
  }
}
