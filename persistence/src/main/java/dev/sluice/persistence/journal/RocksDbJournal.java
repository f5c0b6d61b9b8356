package dev.sluice.persistence.journal;

import com.typesafe.config.Config;
import dev.sluice.persistence.rocksdb.JournalDao;
import dev.sluice.persistence.rocksdb.RocksDbStorage;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.pekko.persistence.AtomicWrite;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.persistence.journal.japi.AsyncWriteJournal;
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
 * <p>An actor: confined to its own dispatcher. All work is delegated to {@link JournalDao}.
 */
public final class RocksDbJournal extends AsyncWriteJournal {
  private final JournalDao dao;

  public RocksDbJournal(Config pluginConfig, String configPath) {
    PluginSettings settings = PluginSettings.fromConfig(pluginConfig, configPath);
    this.dao = new JournalDao(
        RocksDbStorage.get(context().system()).handle(),
        SerializationExtension.get(context().system()),
        context().system().dispatchers().lookup(settings.ioDispatcher()));
  }

  @Override
  public Future<Iterable<Optional<Exception>>> doAsyncWriteMessages(Iterable<AtomicWrite> messages) {
    return FutureConverters.asScala(dao.write(messages).thenApply(RocksDbJournal::asIterable));
  }

  @Override
  public Future<Void> doAsyncDeleteMessagesTo(String persistenceId, long toSequenceNr) {
    return FutureConverters.asScala(dao.deleteTo(persistenceId, toSequenceNr));
  }

  @Override
  public Future<Void> doAsyncReplayMessages(
      String persistenceId, long fromSequenceNr, long toSequenceNr, long max, Consumer<PersistentRepr> replayCallback) {
    return FutureConverters.asScala(dao.replay(persistenceId, fromSequenceNr, toSequenceNr, max, replayCallback));
  }

  @Override
  public Future<Long> doAsyncReadHighestSequenceNr(String persistenceId, long fromSequenceNr) {
    return FutureConverters.asScala(dao.highestSequenceNr(persistenceId));
  }

  private static Iterable<Optional<Exception>> asIterable(List<Optional<Exception>> results) {
    return results;
  }
}
