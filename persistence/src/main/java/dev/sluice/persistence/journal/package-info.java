/**
 * Pekko Persistence plugins: {@link dev.sluice.persistence.journal.RocksDbJournal}
 * ({@code sluice.persistence.journal}), {@link dev.sluice.persistence.journal.ReplicatedJournal}
 * ({@code sluice.persistence.replicated-journal}) and {@link dev.sluice.persistence.journal.RocksDbSnapshotStore}
 * ({@code sluice.persistence.snapshot-store}).
 */
package dev.sluice.persistence.journal;
