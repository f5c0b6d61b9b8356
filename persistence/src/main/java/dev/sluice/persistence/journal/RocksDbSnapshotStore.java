package dev.sluice.persistence.journal;

import com.typesafe.config.Config;
import dev.sluice.persistence.rocksdb.RocksDbStorage;
import dev.sluice.persistence.rocksdb.SnapshotDao;
import java.util.Optional;
import org.apache.pekko.persistence.SelectedSnapshot;
import org.apache.pekko.persistence.SnapshotMetadata;
import org.apache.pekko.persistence.SnapshotSelectionCriteria;
import org.apache.pekko.persistence.snapshot.japi.SnapshotStore;
import org.apache.pekko.serialization.SerializationExtension;
import scala.concurrent.Future;
import scala.jdk.javaapi.FutureConverters;

/**
 * Pekko Persistence snapshot store plugin over the node's RocksDB ({@link RocksDbStorage}),
 * {@code snap} column family. Plugin id {@code sluice.persistence.snapshot-store}; enable it with
 * {@code pekko.persistence.snapshot-store.plugin = "sluice.persistence.snapshot-store"}.
 *
 * <p>Snapshots (and {@code SnapshotMetadata.metadata}) are stored with Pekko serialization
 * (serializer id + manifest + bytes); a save is acknowledged after its batch was fsynced.
 *
 * <p>An actor: confined to its own dispatcher. All work is delegated to {@link SnapshotDao}.
 */
public final class RocksDbSnapshotStore extends SnapshotStore {
  private final SnapshotDao dao;

  public RocksDbSnapshotStore(Config pluginConfig, String configPath) {
    PluginSettings settings = PluginSettings.fromConfig(pluginConfig, configPath);
    this.dao = new SnapshotDao(
        RocksDbStorage.get(context().system()).handle(),
        SerializationExtension.get(context().system()),
        context().system().dispatchers().lookup(settings.ioDispatcher()));
  }

  @Override
  public Future<Optional<SelectedSnapshot>> doLoadAsync(String persistenceId, SnapshotSelectionCriteria criteria) {
    return FutureConverters.asScala(dao.load(persistenceId, criteria));
  }

  @Override
  public Future<Void> doSaveAsync(SnapshotMetadata metadata, Object snapshot) {
    return FutureConverters.asScala(dao.save(metadata, snapshot));
  }

  @Override
  public Future<Void> doDeleteAsync(SnapshotMetadata metadata) {
    return FutureConverters.asScala(dao.delete(metadata));
  }

  @Override
  public Future<Void> doDeleteAsync(String persistenceId, SnapshotSelectionCriteria criteria) {
    return FutureConverters.asScala(dao.delete(persistenceId, criteria));
  }
}
