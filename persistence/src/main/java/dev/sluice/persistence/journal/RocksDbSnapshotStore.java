package dev.sluice.persistence.journal;

import com.typesafe.config.Config;
import dev.sluice.persistence.rocksdb.RocksDbStorage;
import dev.sluice.persistence.store.SerializedBlob;
import dev.sluice.persistence.store.SnapshotRecord;
import dev.sluice.persistence.store.SnapshotStorage;
import dev.sluice.persistence.store.StreamKey;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.persistence.SelectedSnapshot;
import org.apache.pekko.persistence.SnapshotMetadata;
import org.apache.pekko.persistence.SnapshotSelectionCriteria;
import org.apache.pekko.persistence.snapshot.japi.SnapshotStore;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import scala.Option;
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
 * <p>An actor: confined to its own dispatcher. It does Pekko serialization and talks to storage
 * only through the {@link SnapshotStorage} contract; loaded snapshots are deserialized on the IO
 * dispatcher, never on the plugin's (an empty result, the common case of a new stream, needs none).
 */
public final class RocksDbSnapshotStore extends SnapshotStore {
  private final SnapshotStorage storage;
  private final Serialization serialization;
  private final Executor ioExecutor;

  public RocksDbSnapshotStore(Config pluginConfig, String configPath) {
    PluginSettings settings = PluginSettings.fromConfig(pluginConfig, configPath);
    this.serialization = SerializationExtension.get(context().system());
    this.ioExecutor = context().system().dispatchers().lookup(settings.ioDispatcher());
    this.storage = RocksDbStorage.get(context().system()).snapshotStorage(ioExecutor);
  }

  @Override
  public Future<Optional<SelectedSnapshot>> doLoadAsync(String persistenceId, SnapshotSelectionCriteria criteria) {
    // Nothing found (every new stream) needs no deserializing, so no hop to the IO dispatcher.
    return FutureConverters.asScala(storage.loadLatest(StreamKey.of(persistenceId), criteria)
        .thenCompose(found -> found.isEmpty()
            ? CompletableFuture.completedFuture(Optional.<SelectedSnapshot>empty())
            : CompletableFuture.supplyAsync(() -> Optional.of(selected(persistenceId, found.get())), ioExecutor)));
  }

  @Override
  public Future<Void> doSaveAsync(SnapshotMetadata metadata, Object snapshot) {
    return FutureConverters.asScala(save(metadata, snapshot));
  }

  /**
   * Deletes the snapshot at {@code metadata.sequenceNr}; a non-zero timestamp must match too (as in
   * Pekko's local snapshot store).
   */
  @Override
  public Future<Void> doDeleteAsync(SnapshotMetadata metadata) {
    long seq = metadata.sequenceNr();
    long ts = metadata.timestamp();
    SnapshotSelectionCriteria exact = new SnapshotSelectionCriteria(
        seq, ts == 0 ? Long.MAX_VALUE : ts, seq, ts == 0 ? 0 : ts);
    return doDeleteAsync(metadata.persistenceId(), exact);
  }

  @Override
  public Future<Void> doDeleteAsync(String persistenceId, SnapshotSelectionCriteria criteria) {
    return FutureConverters.asScala(storage.delete(StreamKey.of(persistenceId), criteria));
  }

  private CompletionStage<Void> save(SnapshotMetadata metadata, Object snapshot) {
    SnapshotRecord record;
    try {
      Optional<SerializedBlob> meta = metadata.metadata().isDefined()
          ? Optional.of(SerializedBlob.of(serialization, metadata.metadata().get()))
          : Optional.empty();
      record = new SnapshotRecord(
          JournalWrites.UNFENCED_EPOCH, metadata.timestamp(), SerializedBlob.of(serialization, snapshot), meta);
    } catch (Exception e) {
      return CompletableFuture.failedFuture(e);
    }
    return storage.save(StreamKey.of(metadata.persistenceId()), metadata.sequenceNr(), record);
  }

  private SelectedSnapshot selected(String persistenceId, SnapshotStorage.StoredSnapshot stored) {
    SnapshotRecord rec = stored.record();
    Option<Object> meta = rec.metadata().isPresent()
        ? Option.apply(rec.metadata().get().deserialize(serialization))
        : Option.empty();
    SnapshotMetadata md = new SnapshotMetadata(persistenceId, stored.seqNr(), rec.timestamp(), meta);
    return new SelectedSnapshot(md, rec.snapshot().deserialize(serialization));
  }
}
