/**
 * INTERNAL API. What is stored, independent of where: the {@link dev.sluice.persistence.store.KeyLayout
 * key layout}, the record codecs ({@code LogRecord}, {@code MetaRecord}, {@code SnapshotRecord}) and
 * the storage exceptions. The bottom of this module's package graph: it depends on no other package
 * of the module. Public only so the sibling packages can use it; never import it from another module.
 */
package dev.sluice.persistence.store;
