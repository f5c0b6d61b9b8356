package dev.sluice.persistence.rocksdb;

import dev.sluice.core.spi.StreamDataStore;
import dev.sluice.persistence.store.Column;
import dev.sluice.persistence.store.JournalStore;
import dev.sluice.persistence.store.SnapshotStorage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;
import org.apache.pekko.actor.ExtensionId;
import org.apache.pekko.actor.ExtensionIdProvider;
import org.apache.pekko.actor.typed.javadsl.Adapter;

/**
 * The node's one RocksDB instance, shared by the journal plugin ({@link #journalStore}), the
 * snapshot store ({@link #snapshotStorage}), the read side ({@link #dataStore()}) and, once the
 * journal is replicated, the node's replica ({@link #replicaStore}). A Pekko
 * extension, so there is exactly one per ActorSystem:
 *
 * <pre>{@code
 * StreamDataStore data = RocksDbStorage.get(system).dataStore();
 * }</pre>
 *
 * <p>Opened on first use from {@link RocksDbSettings} ({@code sluice.persistence.rocksdb}) and closed
 * when the ActorSystem terminates, after its actors (and so the plugins) have stopped; queued
 * writes are committed first. Column families and key layout: {@link KeyLayout}.
 *
 * <p>Thread-safe. Calls after close fail with {@link RocksDbStorageException}.
 */
public final class RocksDbStorage implements Extension {

  /** The extension id; use {@link #get} instead of this directly. */
  public static final class Id extends AbstractExtensionId<RocksDbStorage> implements ExtensionIdProvider {
    public static final Id INSTANCE = new Id();

    private Id() {}

    @Override
    public ExtensionId<RocksDbStorage> lookup() {
      return INSTANCE;
    }

    @Override
    public RocksDbStorage createExtension(ExtendedActorSystem system) {
      RocksDbSettings settings = RocksDbSettings.fromConfig(system.settings().config());
      RocksDbStorage storage = new RocksDbStorage(RocksDbHandle.open(settings));
      system.registerOnTermination(storage::close);
      system.log().info("Opened RocksDB storage in [{}] (sync={}, disk {})",
          settings.dir().toAbsolutePath(), settings.sync(), storage.diskUuid());
      return storage;
    }
  }

  private final RocksDbHandle handle;
  private final RocksDbStreamDataStore dataStore;
  /** The one replica store of this node, once asked for; guarded by {@code this}. */
  private RocksDbReplicaStore replicaStore;

  private RocksDbStorage(RocksDbHandle handle) {
    this.handle = handle;
    this.dataStore = new RocksDbStreamDataStore(handle);
  }

  public static RocksDbStorage get(ActorSystem system) {
    return Id.INSTANCE.get(system);
  }

  public static RocksDbStorage get(org.apache.pekko.actor.typed.ActorSystem<?> system) {
    return get(Adapter.toClassic(system));
  }

  /**
   * Opens storage outside an ActorSystem (tools and tests). The caller owns it and must
   * {@link #close()} it; never open a directory an ActorSystem is using (RocksDB locks it).
   */
  public static RocksDbStorage open(RocksDbSettings settings) {
    return new RocksDbStorage(RocksDbHandle.open(settings));
  }

  public RocksDbSettings settings() {
    return handle.settings();
  }

  /** Identity of this database, created with it; a new disk or wiped directory gets a new one. */
  public UUID diskUuid() {
    return handle.diskUuid();
  }

  /**
   * The persistence ids with a journal on this node that start with {@code prefix} (for example
   * {@code "stream|"}: every stream, deleted ones included), in key order. A scan of the
   * {@code meta} column family (one key per id, {@code KeyLayout}): for rare listings such as a
   * pattern subscription's backfill, never per request. Blocks; call it off the request threads.
   */
  public List<String> persistenceIds(String prefix) {
    return handle.read(db -> {
      var out = new ArrayList<String>();
      try (var it = db.newIterator(handle.column(Column.META))) {
        for (it.seekToFirst(); it.isValid(); it.next()) {
          byte[] k = it.key();
          if (k.length < 4) continue;
          int len = ((k[2] & 0xff) << 8) | (k[3] & 0xff);
          if (k.length < 4 + len) continue;
          String pid = new String(k, 4, len, StandardCharsets.UTF_8);
          if (pid.startsWith(prefix)) out.add(pid);
        }
      }
      return out;
    });
  }

  /** Read side of the {@code data} column family. */
  public StreamDataStore dataStore() {
    return dataStore;
  }

  /**
   * The journal's storage on this node. Reads (replay, highest sequence number) run on
   * {@code ioExecutor}, which must allow blocking; writes go through the node's one group-commit
   * writer whatever the executor.
   */
  public JournalStore journalStore(Executor ioExecutor) {
    return new LocalJournalStore(handle, ioExecutor);
  }

  /** The snapshot store's storage on this node; loads run on {@code ioExecutor}, as for the journal. */
  public SnapshotStorage snapshotStorage(Executor ioExecutor) {
    return new LocalSnapshotStorage(handle, ioExecutor);
  }

  /**
   * This node's replica storage, serving as replica {@code replicaOrdinal} of the replica set. The
   * first call on a disk records its membership ({@link RocksDbReplicaStore#open}; blocks until that
   * synced write is durable): {@code joiningExistingSet} says whether the set already ran without this
   * disk (a replaced disk, which makes {@link RocksDbReplicaStore#diskReplaced()} true) or this is a
   * founding member. Later calls, and later starts, keep what was recorded.
   *
   * @throws RocksDbStorageException if the disk already serves under another ordinal
   */
  public synchronized RocksDbReplicaStore replicaStore(int replicaOrdinal, boolean joiningExistingSet) {
    if (replicaStore == null) {
      replicaStore = RocksDbReplicaStore.open(handle, replicaOrdinal, joiningExistingSet);
    } else if (replicaStore.replica() != replicaOrdinal) {
      throw new IllegalArgumentException("this node already serves as replica " + replicaStore.replica()
          + ", not " + replicaOrdinal);
    }
    return replicaStore;
  }

  /** What the group-commit writer has done since the storage opened. */
  public GroupCommitStats groupCommitStats() {
    return handle.writer().stats();
  }

  /**
   * Whether the database is open and serving (readiness, README "Operating"): false once closed,
   * and while a reopen after a background error is in progress or failed. Cheap (no IO).
   */
  public boolean isOpen() {
    return handle.isOpen();
  }

  /**
   * Tells {@code listener} about every group commit from now on (one call per batch, on the writer
   * thread; see {@link GroupCommitListener}). Replaces any earlier listener; null removes it.
   */
  public void groupCommitListener(GroupCommitListener listener) {
    handle.writer().listener(listener);
  }

  /** Commits queued writes and closes the database. Idempotent. */
  public void close() {
    handle.close();
  }
}
