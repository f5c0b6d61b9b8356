/**
 * The node's single RocksDB instance ({@link dev.sluice.persistence.rocksdb.RocksDbStorage}): its
 * settings, the local implementations of the {@code store} contracts ({@code LocalJournalStore},
 * {@code LocalSnapshotStorage}), the group-commit writer that is the database's only writer, and
 * the {@code StreamDataStore} read side, and the replica storage of the replication protocol
 * ({@code RocksDbReplicaStore}, which implements {@code dev.sluice.replication.ReplicaStore}). Only
 * {@code RocksDbStorage}, {@code RocksDbSettings}, {@code RocksDbStreamDataStore},
 * {@code RocksDbReplicaStore}, {@code GroupCommitStats} and {@code RocksDbStorageException} are
 * public; the engine is package-private. Depends on {@code store}, never on {@code journal}.
 */
package dev.sluice.persistence.rocksdb;
