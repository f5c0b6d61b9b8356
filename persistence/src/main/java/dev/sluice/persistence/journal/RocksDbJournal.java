package dev.sluice.persistence.journal;

import com.typesafe.config.Config;
import dev.sluice.persistence.rocksdb.RocksDbStorage;
import dev.sluice.persistence.store.JournalStore;
import dev.sluice.persistence.store.StreamKey;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.pekko.persistence.AtomicWrite;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.persistence.journal.japi.AsyncWriteJournal;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import scala.concurrent.Future;
import scala.jdk.javaapi.FutureConverters;

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
public final class RocksDbJournal extends AsyncWriteJournal {
  private final JournalStore store;
  private final Serialization serialization;

  public RocksDbJournal(Config pluginConfig, String configPath) {
    PluginSettings settings = PluginSettings.fromConfig(pluginConfig, configPath);
    this.serialization = SerializationExtension.get(context().system());
    this.store = RocksDbStorage.get(context().system())
        .journalStore(context().system().dispatchers().lookup(settings.ioDispatcher()));
  }

  @Override
  public Future<Iterable<Optional<Exception>>> doAsyncWriteMessages(Iterable<AtomicWrite> messages) {
    JournalWrites.Prepared prepared = JournalWrites.prepare(messages, serialization);
    if (prepared.writes().isEmpty()) {
      return Future.successful(asIterable(prepared.results()));
    }
    return FutureConverters.asScala(store.write(prepared.writes()).thenApply(v -> asIterable(prepared.results())));
  }

  @Override
  public Future<Void> doAsyncDeleteMessagesTo(String persistenceId, long toSequenceNr) {
    return FutureConverters.asScala(store.deleteTo(StreamKey.of(persistenceId), toSequenceNr));
  }

  @Override
  public Future<Void> doAsyncReplayMessages(
      String persistenceId, long fromSequenceNr, long toSequenceNr, long max, Consumer<PersistentRepr> replayCallback) {
    return FutureConverters.asScala(store.replay(StreamKey.of(persistenceId), fromSequenceNr, toSequenceNr, max,
        event -> replayCallback.accept((PersistentRepr) event.record().repr().deserialize(serialization))));
  }

  @Override
  public Future<Long> doAsyncReadHighestSequenceNr(String persistenceId, long fromSequenceNr) {
    return FutureConverters.asScala(store.highestSequenceNr(StreamKey.of(persistenceId)));
  }

  private static Iterable<Optional<Exception>> asIterable(List<Optional<Exception>> results) {
    return results;
  }
}
