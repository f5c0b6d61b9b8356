/**
 * Replication on Pekko (docs/replication-node.md): the thin actors and the transport around the pure
 * protocol of {@code dev.sluice.replication}.
 *
 * <ul>
 *   <li>{@link dev.sluice.replication.node.ReplicationNode} - start it once per storage node; opens writers.
 *   <li>{@link dev.sluice.replication.node.ReplicaNode} - every stream's replica on this node, over a
 *       {@link dev.sluice.replication.ReplicaStore}; {@code StreamPipeline} orders its persists and replies.
 *   <li>{@link dev.sluice.replication.node.WriterDriver} - the owner's handle on one stream's writer:
 *       {@code opened()}, {@code append(bytes)}.
 *   <li>{@link dev.sluice.replication.node.Batcher}, {@code Transport}, {@link dev.sluice.replication.node.Wire} -
 *       addressing, per-peer batching, chunking and the CBOR wire records.
 *   <li>{@link dev.sluice.replication.node.ReplicationSettings} - {@code sluice.replication} from reference.conf.
 * </ul>
 */
package dev.sluice.replication.node;
