/**
 * The node's single RocksDB instance ({@link dev.sluice.persistence.rocksdb.RocksDbStorage}), its
 * settings, the group-commit writer that is its only writer, the storage access of the plugins and
 * the {@code StreamDataStore} read side. Depends on {@code store}, never on {@code journal}.
 */
package dev.sluice.persistence.rocksdb;
