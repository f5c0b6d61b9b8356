/**
 * Pekko Persistence plugins: {@link dev.sluice.persistence.journal.RocksDbJournal}
 * ({@code sluice.persistence.journal}) and {@link dev.sluice.persistence.journal.RocksDbSnapshotStore}
 * ({@code sluice.persistence.snapshot-store}).
 */
package dev.sluice.persistence.journal;
