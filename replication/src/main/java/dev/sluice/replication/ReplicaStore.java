package dev.sluice.replication;

import java.util.concurrent.CompletionStage;

/**
 * The port between a replica driver (the node's replica actor) and the node's durable storage: what
 * one node keeps for every stream it replicates. Implemented on RocksDB by the persistence module
 * (per-stream replica meta and a {@code repl} log beside the readable columns) and in memory for
 * tests. See {@code docs/replication-wiring.md}.
 *
 * <p>Reads ({@link #meta}, {@link #log}) return COMMITTED storage only: what earlier
 * {@link #persist} calls made durable. The driver overlays the changes of steps whose persist is
 * still in flight ({@link PendingReplica}), which is what {@link ReplicaLog}'s contract asks.
 *
 * <p>Thread-safety: implementations must allow calls from any thread; a driver never runs two
 * {@code persist} calls of ONE stream concurrently, but persists of different streams may be in
 * flight together (and should share a group commit).
 */
public interface ReplicaStore {

  /** This node's ordinal in the replica set (0..{@link Quorum#REPLICAS}-1). */
  int replica();

  /** The random identity of this node's disk, made when its storage was created. */
  String diskUuid();

  /**
   * Whether this disk was created AFTER the node already served in the replica set (a lost or
   * replaced disk): such a replica may have promised or acknowledged things it no longer knows, so
   * every stream it has no meta for starts in limbo ({@link ReplicaState#lostDisk}).
   */
  boolean diskReplaced();

  /** The stream's durable replica meta, or {@code null} if this node never stored anything for it. */
  ReplicaState meta(String stream);

  /** The stream's durable log (a view; entries are read on demand). */
  ReplicaLog log(String stream);

  /**
   * Writes {@code meta} and {@code change} in ONE synced write batch, and, in the same batch, applies
   * the payloads of the committed entries {@code (materialize.afterSeq, materialize.upToSeq]} to the
   * stream's readable state ({@code materialize} may be null). Completes once the batch is fsynced;
   * fails if the outcome is unknown (then the driver must stop trusting its in-memory view of the
   * stream and reload it).
   *
   * <p>Entries to materialize may be in {@code change} itself or already stored; materializing the
   * same entry twice must be harmless (the readable state is keyed by position).
   */
  CompletionStage<Void> persist(String stream, ReplicaState meta, LogChange change, Effect.Committed materialize);

  /**
   * As {@link #persist(String, ReplicaState, LogChange, Effect.Committed)}; with {@code sync} false
   * ({@link Effect.Persist#sync()}: the change only raises lac) the stage may complete once the batch
   * is written and readable, before it is fsynced. A store that always syncs may ignore the flag.
   */
  default CompletionStage<Void> persist(String stream, ReplicaState meta, LogChange change, Effect.Committed materialize, boolean sync) {
    return persist(stream, meta, change, materialize);
  }
}
