/**
 * The quorum-replicated journal's storage: {@link dev.sluice.persistence.replicated.Replication} (this
 * node's replica and writers, a Pekko extension) and
 * {@link dev.sluice.persistence.replicated.ReplicatedJournalStore} (the {@code JournalStore} whose writes
 * are entries of each stream's replicated log and whose reads are this node's materialized columns).
 * Depends on {@code rocksdb} and {@code store}; the plugin in {@code journal} depends on it. Why it
 * looks the way it does: {@code persistence/design-notes.md} §10.
 */
package dev.sluice.persistence.replicated;
