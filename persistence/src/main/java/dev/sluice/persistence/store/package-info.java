/**
 * INTERNAL API. The storage contracts and what they carry, independent of where data is kept:
 *
 * <ul>
 *   <li>{@link dev.sluice.persistence.store.JournalStore} and
 *       {@link dev.sluice.persistence.store.SnapshotStorage}: what the Pekko plugins need from a
 *       storage; the node-local RocksDB store implements them today, a replicated store is meant to
 *       be the second implementation.
 *   <li>{@link dev.sluice.persistence.store.StreamWrite} of {@link dev.sluice.persistence.store.WriteOp}s:
 *       a write as a value.
 *   <li>The {@link dev.sluice.persistence.store.KeyLayout key layout}, the record codecs
 *       ({@code LogRecord}, {@code MetaRecord}, {@code SnapshotRecord}) and the storage exceptions.
 * </ul>
 *
 * <p>The bottom of this module's package graph: it depends on no other package of the module.
 * Public only so the sibling packages can use it; never import it from another module.
 */
package dev.sluice.persistence.store;
