/**
 * Sluice replication: the pure state machines of the fenced quorum journal (docs/replication.md).
 * No Pekko, no RocksDB, no IO, no clocks: a thin actor (later) feeds messages and timer events in
 * and carries the returned {@link dev.sluice.replication.Effect effects} out.
 *
 * <ul>
 *   <li>{@link dev.sluice.replication.Replica} - one storage node's per-stream acceptor: fence, append,
 *       read, commit, limbo after a lost disk.
 *   <li>{@link dev.sluice.replication.Writer} - the stream owner: fence, recover (re-stamp the uncommitted
 *       suffix), then replicate appends to a quorum; owns producer dedupe.
 *   <li>{@link dev.sluice.replication.Message} and {@link dev.sluice.replication.Effect} - the wire
 *       messages and the side effects, as data.
 *   <li>{@link dev.sluice.replication.Bugs} - known-wrong variants, switched on only by the simulator's
 *       tests to prove that it catches them.
 * </ul>
 */
package dev.sluice.replication;
