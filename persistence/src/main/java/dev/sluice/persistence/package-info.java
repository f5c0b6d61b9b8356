/**
 * Sluice persistence: the node's RocksDB storage and the Pekko Persistence plugins over it.
 *
 * <ul>
 *   <li>{@code rocksdb} - {@link dev.sluice.persistence.rocksdb.RocksDbStorage} (one DB per node, a
 *       Pekko extension), settings, the documented {@link dev.sluice.persistence.rocksdb.KeyLayout},
 *       and the read side of stream data ({@link dev.sluice.persistence.rocksdb.RocksDbStreamDataStore}).
 *   <li>{@code journal} - the journal and snapshot-store plugins (thin actors delegating to DAOs).
 *   <li>{@code internal} - group-commit writer, record codecs and DAOs; not for use outside this module.
 * </ul>
 *
 * <p>Why it looks the way it does: {@code persistence/design-notes.md}.
 */
package dev.sluice.persistence;
