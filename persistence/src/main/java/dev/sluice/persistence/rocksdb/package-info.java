/**
 * The node's single RocksDB instance ({@link dev.sluice.persistence.rocksdb.RocksDbStorage}), its
 * settings, key layout and the {@code StreamDataStore} read side.
 */
package dev.sluice.persistence.rocksdb;
