/**
 * Sluice replication: the pure state machines of the fenced quorum journal (docs/replication.md).
 * No Pekko, no RocksDB, no IO, no clocks: a thin actor (later) feeds messages and timer events in
 * and carries the returned {@link dev.sluice.replication.Effect effects} out.
 *
 * <ul>
 *   <li>{@link dev.sluice.replication.Replica} - one storage node's per-stream acceptor: fence, append,
 *       paged read, commit, committed fill, limbo after a lost disk. Its durable state is
 *       {@link dev.sluice.replication.ReplicaState} (small meta) plus a log the driver stores, read through
 *       {@link dev.sluice.replication.ReplicaLog} and changed by {@link dev.sluice.replication.LogChange}
 *       deltas ({@link dev.sluice.replication.InMemoryReplicaLog} for tests and the simulator).
 *   <li>{@link dev.sluice.replication.Writer} - the stream owner: fence, recover (page the uncommitted
 *       suffix, re-stamp it), then replicate appends to a quorum from a bounded in-memory window,
 *       catching lagging replicas up from a peer; optionally owns producer dedupe. Its package-private
 *       parts: {@code Recovery} (fence, choose, paged read), {@code CatchUp} (per-replica state, catch-up,
 *       peer fetches), {@code Window} (the in-memory log), {@code Outbox} (the ordered effects).
 *   <li>{@link dev.sluice.replication.Message} and {@link dev.sluice.replication.Effect} - the wire
 *       messages and the side effects, as data.
 *   <li>{@link dev.sluice.replication.Bugs} - known-wrong variants, switched on only by the simulator's
 *       tests to prove that it catches them.
 * </ul>
 */
package dev.sluice.replication;
