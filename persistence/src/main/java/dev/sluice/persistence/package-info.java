/**
 * Sluice persistence: the node's RocksDB storage and the Pekko Persistence plugins over it.
 *
 * <p>Packages, each depending only on the ones below it:
 *
 * <ul>
 *   <li>{@code journal} - the journal and snapshot-store plugins (thin actors delegating to the
 *       storage access in {@code rocksdb}).
 *   <li>{@code rocksdb} - {@code RocksDbStorage} (one DB per node, a Pekko extension), settings,
 *       the group-commit writer, and the read side of stream data ({@code RocksDbStreamDataStore}).
 *   <li>{@code store} - key layout, record codecs and storage exceptions; INTERNAL API, not for use
 *       outside this module.
 * </ul>
 *
 * <p>Why it looks the way it does: {@code persistence/design-notes.md}.
 */
package dev.sluice.persistence;
