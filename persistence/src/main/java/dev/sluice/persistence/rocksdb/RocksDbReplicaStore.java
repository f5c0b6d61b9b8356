package dev.sluice.persistence.rocksdb;

import dev.sluice.persistence.store.Column;
import dev.sluice.persistence.store.KeyLayout;
import dev.sluice.persistence.store.ReplEntryRecord;
import dev.sluice.persistence.store.ReplicaMembership;
import dev.sluice.persistence.store.ReplicaMetaRecord;
import dev.sluice.persistence.store.StreamKey;
import dev.sluice.replication.Effect;
import dev.sluice.replication.Entry;
import dev.sluice.replication.LogChange;
import dev.sluice.replication.Quorum;
import dev.sluice.replication.ReplicaLog;
import dev.sluice.replication.ReplicaState;
import dev.sluice.replication.ReplicaStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The {@link ReplicaStore} of one node on its RocksDB: per stream, the replica meta and the accepted
 * log entries in the {@code repl} column family, and the committed entries' payloads materialized
 * into the readable columns ({@code log}, {@code meta}, {@code data}, {@code snap}) exactly as the
 * local journal would have written them (layout: {@link KeyLayout}; why: {@code
 * persistence/design-notes.md} §9). Obtained from {@link RocksDbStorage#replicaStore}.
 *
 * <p>{@link #persist} is ONE request to the node's group-commit writer, so it shares the fsync with
 * every other write queued meanwhile, completes only after that fsync (and after the
 * acknowledgement mark covers it), fails at once while the write gate is closed (storage full or
 * failed), and is refused alone if it does not continue the stream's stored log. Reads return
 * committed storage, as the port says.
 *
 * <p>Streams map to journal streams one to one: replica stream {@code s} is the persistenceId
 * {@code s} in the default placement group, and every entry's payload must be a {@code StreamWrite}
 * of that stream.
 *
 * <p>Thread-safe.
 */
public final class RocksDbReplicaStore implements ReplicaStore {
  private final RocksDbHandle handle;
  private final ReplicaMembership membership;
  private final MaterializationWaiters waiters = new MaterializationWaiters();

  private RocksDbReplicaStore(RocksDbHandle handle, ReplicaMembership membership) {
    this.handle = handle;
    this.membership = membership;
  }

  /**
   * The store of a node serving as replica {@code replica}. The first time a disk serves, its
   * membership is recorded (one synced write through the writer; blocks until durable): a replacement
   * disk if {@code joiningExistingSet}, else a founding one. Later the record wins, so a disk that once
   * joined as a founding member is never taken for a replacement (it remembers everything it promised),
   * and a replacement stays one (see {@link #diskReplaced()}).
   *
   * @throws RocksDbStorageException if the disk is recorded under another ordinal, or the record
   *     cannot be written
   */
  static RocksDbReplicaStore open(RocksDbHandle handle, int replica, boolean joiningExistingSet) {
    if (replica < 0 || replica >= Quorum.REPLICAS) {
      throw new IllegalArgumentException("replica ordinal must be 0.." + (Quorum.REPLICAS - 1) + ", was " + replica);
    }
    AtomicReference<ReplicaMembership> recorded = new AtomicReference<>();
    try {
      // Read and write on the writer thread, so two first uses cannot both record.
      handle.writer().submitStaged(batch -> {
        byte[] value = batch.get(Column.DEFAULT, KeyLayout.NODE_REPLICA);
        if (value != null) {
          recorded.set(ReplicaMembership.decode(value));
        } else {
          ReplicaMembership m = new ReplicaMembership(replica, joiningExistingSet);
          batch.put(Column.DEFAULT, KeyLayout.NODE_REPLICA, m.encode());
          recorded.set(m);
        }
      }, 0).get();
    } catch (ExecutionException e) {
      throw new RocksDbStorageException("cannot record this disk's replica membership: " + e.getCause().getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RocksDbStorageException("interrupted while recording this disk's replica membership", e);
    }
    ReplicaMembership m = recorded.get();
    if (m.replica() != replica) {
      throw new RocksDbStorageException("this disk (" + handle.diskUuid() + ") serves as replica " + m.replica()
          + ", not " + replica + ": every replica meta on it and every peer knows it under that ordinal. Configure"
          + " the node with ordinal " + m.replica() + ", or give ordinal " + replica + " an empty disk");
    }
    return new RocksDbReplicaStore(handle, m);
  }

  @Override
  public int replica() {
    return membership.replica();
  }

  @Override
  public String diskUuid() {
    return handle.diskUuid().toString();
  }

  /**
   * True for a disk recorded as a replacement: it joined a replica set that ran without it. Sticky:
   * a stream it has no meta for may be one its predecessor promised or acked things for, and only a
   * full comparison with the peers could tell which; a new stream pays one limbo round (its peers
   * report tail 0) for it.
   */
  @Override
  public boolean diskReplaced() {
    return membership.replacedDisk();
  }

  @Override
  public ReplicaState meta(String stream) {
    ReplicaMetaRecord m = readMeta(handle, key(stream));
    return m == null ? null : m.state();
  }

  /**
   * The highest entry whose payload is applied to the readable columns (0 if none): a node serving
   * reads from its own {@code data} waits for this to reach the committed tail it was told.
   */
  public long materializedUpTo(String stream) {
    ReplicaMetaRecord m = readMeta(handle, key(stream));
    return m == null ? 0 : m.materializedUpTo();
  }

  /**
   * Completes once {@code stream} is materialized up to {@code seq} on this node (at once if it is
   * already): its readable columns then hold every committed entry up to there (written; fsynced too
   * unless the materialization rode an unsynced commit, whose entries a quorum holds durably in
   * {@code repl} anyway, so a power loss only sends this node back to materialize them again). Never fails by
   * itself; the caller bounds the wait ({@code orTimeout}), and a future given up on is forgotten.
   * Completes on the group-commit writer's thread: attach only trivial stages, or {@code *Async} ones.
   */
  public CompletableFuture<Void> whenMaterialized(String stream, long seq) {
    if (seq <= 0) {
      return CompletableFuture.completedFuture(null);
    }
    CompletableFuture<Void> f = waiters.register(stream, seq);
    // Registered first, read second (see MaterializationWaiters): no persist can slip between.
    long now = materializedUpTo(stream);
    if (now >= seq) {
      waiters.materialized(stream, now);
    }
    return f;
  }

  /** Streams someone waits on ({@link #whenMaterialized}); tests check that nothing leaks. */
  public int streamsAwaitingMaterialization() {
    return waiters.streamsWaitedOn();
  }

  @Override
  public ReplicaLog log(String stream) {
    return new RocksDbReplicaLog(handle, key(stream));
  }

  /**
   * See {@link ReplicaStore#persist}. The change must continue the stream's stored log (as left by
   * every earlier persist, in submission order) and give {@code meta.tailSeq()}; it must not cut a
   * materialized entry; {@code meta.lac()} must not go down. Otherwise the stage fails with an
   * {@link IllegalStateException} and nothing of it is stored. Entries from {@code materializedUpTo + 1}
   * through {@code materialize.upToSeq()} are materialized (see {@link ReplicaPersist}).
   *
   * @throws IllegalArgumentException (at once, nothing queued) if {@code meta} is for another stream,
   *     replica or disk, or {@code materialize} reaches above {@code meta.lac()}
   */
  @Override
  public CompletionStage<Void> persist(String stream, ReplicaState meta, LogChange change, Effect.Committed materialize) {
    return persist(stream, meta, change, materialize, true);
  }

  /**
   * As above; {@code sync} false (a change that only raises lac, see {@link Effect.Persist#sync()})
   * completes once its batch is written and readable, before an fsync, unless the batch also carries
   * a request that needs one ({@link GroupCommitWriter#submitStaged(GroupCommitWriter.StagedWrite, long, boolean)}).
   * This takes an fsync wait off every append's path on the owner: its journal write completes after
   * the commit AND this node's materialization of the entry.
   */
  @Override
  public CompletionStage<Void> persist(String stream, ReplicaState meta, LogChange change, Effect.Committed materialize, boolean sync) {
    Objects.requireNonNull(meta, "meta");
    Objects.requireNonNull(change, "change");
    if (!meta.stream().equals(stream) || meta.replica() != replica() || !meta.diskUuid().equals(diskUuid())) {
      throw new IllegalArgumentException("meta " + meta + " of " + meta.stream() + " on disk " + meta.diskUuid()
          + " is not for stream " + stream + " of replica " + replica() + " on disk " + diskUuid());
    }
    long upTo = materialize == null ? 0 : materialize.upToSeq();
    if (upTo > meta.lac()) {
      throw new IllegalArgumentException("materializing up to " + upTo + " above lac " + meta.lac() + " of " + stream);
    }
    StreamKey key = key(stream);
    List<ReplicaPersist.EncodedEntry> encoded = new ArrayList<>(change.append().size());
    long bytes = 0;
    for (Entry e : change.append()) {
      byte[] k = KeyLayout.replEntryKey(key.placementGroup(), key.persistenceId(), e.seq());
      byte[] v = ReplEntryRecord.encode(k, e);
      encoded.add(new ReplicaPersist.EncodedEntry(e.seq(), k, v));
      bytes += k.length + v.length;
    }
    CompletableFuture<Void> persisted = handle.writer().submitStaged(new ReplicaPersist(key, meta, change, encoded, upTo), bytes, sync);
    if (upTo > 0) {
      // After the batch is readable (and durable, if synced); a persist materializes at least up to upTo.
      persisted.thenRun(() -> waiters.materialized(stream, upTo));
    }
    return persisted;
  }

  /**
   * Hook for compacting {@code repl}, NOT IMPLEMENTED YET: entries at or below a seq every replica
   * has acknowledged and this one has materialized may be dropped (docs/replication-wiring.md). It
   * needs the log view to say where it starts (today it holds every entry from 1) and the writer to
   * repair a replica further behind from a peer's committed ranges instead of from entries.
   *
   * @throws UnsupportedOperationException always, for now
   */
  public CompletionStage<Void> dropEntriesUpTo(String stream, long seq) {
    throw new UnsupportedOperationException("compaction of the replica log of " + stream + " is not implemented yet");
  }

  static ReplicaMetaRecord readMeta(RocksDbHandle handle, StreamKey stream) {
    byte[] key = KeyLayout.replMetaKey(stream.placementGroup(), stream.persistenceId());
    byte[] value = handle.read(db -> db.get(handle.column(Column.REPL), key));
    return value == null ? null : ReplicaMetaRecord.decode(stream.persistenceId(), key, value);
  }

  /** The journal stream a replica stream materializes into. */
  static StreamKey key(String stream) {
    KeyLayout.pidBytes(stream); // rejects names that do not fit the key layout
    return StreamKey.of(stream);
  }
}
