package dev.sluice.persistence.journal;

import com.typesafe.config.Config;
import dev.sluice.persistence.store.JournalStore;
import dev.sluice.persistence.replicated.ReplicatedJournalSettings;
import dev.sluice.persistence.replicated.ReplicatedJournalStore;
import dev.sluice.persistence.replicated.Replication;

/**
 * Pekko Persistence journal plugin over the quorum-replicated journal ({@link ReplicatedJournalStore}).
 * Plugin id {@code sluice.persistence.replicated-journal}; enable it on every storage node with
 * {@code sluice.replication.enabled = on} and
 * {@code pekko.persistence.journal.plugin = "sluice.persistence.replicated-journal"}. Snapshots stay
 * node-local ({@code sluice.persistence.snapshot-store}; why that is safe:
 * {@code persistence/design-notes.md} §10).
 *
 * <p>The same serialization as {@link RocksDbJournal} ({@link JournalWrites}), so a replicated entry's
 * payload is exactly what the local journal would write, and the same read path over the local
 * columns. Differences: {@code asyncReadHighestSequenceNr} opens the stream as its owner (fence,
 * recover, local catch-up), and a write is acknowledged once a quorum holds it and this node
 * materialized it. Every failure fails the write (the entity stops and recovers), a definite one
 * included.
 *
 * <p>An actor: confined to its own dispatcher.
 */
public final class ReplicatedJournal extends JournalStorePlugin {
  private final ReplicatedJournalStore store;

  public ReplicatedJournal(Config pluginConfig, String configPath) {
    ReplicatedJournalSettings settings = ReplicatedJournalSettings.fromConfig(pluginConfig, configPath);
    this.store = Replication.get(context().system())
        .journalStore(settings, context().system().dispatchers().lookup(settings.ioDispatcher()));
  }

  @Override
  public void postStop() throws Exception {
    store.close();
    super.postStop();
  }

  @Override
  protected JournalStore store() {
    return store;
  }
}
