/**
 * Sluice persistence: the node's RocksDB storage and the Pekko Persistence plugins over it.
 *
 * <p>Packages, each depending only on the ones below it:
 *
 * <ul>
 *   <li>{@code journal} - the journal plugins (node-local and replicated) and the snapshot-store
 *       plugin: Pekko serialization, then calls to the {@code store} contracts.
 *   <li>{@code replicated} - the quorum-replicated journal's storage: the {@code Replication}
 *       extension (this node's replica and writers) and {@code ReplicatedJournalStore}, the second
 *       implementation of {@code JournalStore}.
 *   <li>{@code rocksdb} - {@code RocksDbStorage} (one DB per node, a Pekko extension), settings, the
 *       local implementations of the contracts with their group-commit writer, and the read side of
 *       stream data ({@code RocksDbStreamDataStore}).
 *   <li>{@code store} - the storage contracts ({@code JournalStore}, {@code SnapshotStorage}), writes
 *       as values ({@code StreamWrite}), key layout, record codecs and storage exceptions; INTERNAL
 *       API, not for use outside this module.
 * </ul>
 *
 * <p>Why it looks the way it does: {@code persistence/design-notes.md}.
 */
package dev.sluice.persistence;
