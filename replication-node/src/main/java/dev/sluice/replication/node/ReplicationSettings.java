package dev.sluice.replication.node;

import com.typesafe.config.Config;
import dev.sluice.replication.Quorum;
import dev.sluice.replication.Writer;
import java.time.Duration;
import java.util.List;

/**
 * Typed view of {@code sluice.replication} (see this module's reference.conf). Immutable.
 *
 * @param nodes            Artery endpoints ("host:port") of the storage nodes, index = ordinal
 * @param ordinal          this node's index in {@code nodes}
 * @param replicaActorName the ReplicaNode's name under {@code /system} on every node
 * @param unsyncedCommits  whether a persist that only raises lac may complete before its fsync
 *                         ({@code replica.unsynced-commits}; docs/replication-node.md "Unsynced commits")
 */
public record ReplicationSettings(List<String> nodes, int ordinal, String replicaActorName,
                                  Duration limboTick, Duration idleSweep, boolean unsyncedCommits, Transport transport, Writer.Settings writer) {

  /** Outbound batching and chunking; see {@link Batcher}. */
  public record Transport(long maxBatchBytes, int maxBatchMessages, long chunkThreshold, int chunkBytes,
                          Duration ackTimeout, long maxQueuedBytes, long windowBytes, Duration ackInterval) {}

  public ReplicationSettings {
    nodes = List.copyOf(nodes);
    if (nodes.size() != Quorum.REPLICAS) {
      throw new IllegalArgumentException("sluice.replication.nodes must list exactly " + Quorum.REPLICAS + " host:port entries, was " + nodes);
    }
    for (String n : nodes) {
      if (!n.matches("^[^:\\s]+:\\d{1,5}$")) throw new IllegalArgumentException("sluice.replication.nodes entries must be host:port, was '" + n + "'");
    }
    if (ordinal < 0 || ordinal >= nodes.size()) {
      throw new IllegalArgumentException("sluice.replication.node-ordinal must be 0.." + (nodes.size() - 1) + ", was " + ordinal);
    }
    if (transport.chunkBytes() <= 0 || transport.chunkBytes() > 192 * 1024) {
      throw new IllegalArgumentException("sluice.replication.transport.chunk-bytes must be in (0, 192KiB] to fit Artery's frame, was " + transport.chunkBytes());
    }
    if (transport.windowBytes() <= 0 || transport.ackInterval().isNegative() || transport.ackInterval().isZero()
        || transport.ackInterval().compareTo(transport.ackTimeout()) >= 0) {
      throw new IllegalArgumentException("sluice.replication.transport.window-bytes must be > 0 and ack-interval in (0, ack-timeout), were "
          + transport.windowBytes() + " and " + transport.ackInterval());
    }
    if (transport.chunkThreshold() < transport.maxBatchBytes()) {
      throw new IllegalArgumentException("sluice.replication.transport.chunk-threshold must be >= max-batch-bytes");
    }
  }

  public static ReplicationSettings fromConfig(Config root) {
    Config c = root.getConfig("sluice.replication");
    Config t = c.getConfig("transport");
    Config w = c.getConfig("writer");
    Transport transport = new Transport(t.getBytes("max-batch-bytes"), t.getInt("max-batch-messages"), t.getBytes("chunk-threshold"),
        Math.toIntExact(t.getBytes("chunk-bytes")), t.getDuration("ack-timeout"), t.getBytes("max-queued-bytes"),
        t.getBytes("window-bytes"), t.getDuration("ack-interval"));
    Writer.Settings d = Writer.Settings.defaults();
    Writer.Settings writer = new Writer.Settings(w.getDuration("open-timeout").toMillis(), w.getDuration("append-timeout").toMillis(),
        w.getDuration("heartbeat").toMillis(), w.getInt("max-fence-attempts"), w.getDuration("fence-backoff").toMillis(),
        d.maxAppendEntries(), d.maxAppendBytes(), d.readPageEntries(), d.readPageBytes(), d.retainEntries(), d.retainBytes(),
        w.getBoolean("producer-dedupe"));
    return new ReplicationSettings(c.getStringList("nodes"), c.getInt("node-ordinal"), c.getString("replica-actor-name"),
        c.getDuration("replica.limbo-tick"), c.getDuration("replica.idle-sweep"), c.getBoolean("replica.unsynced-commits"), transport, writer);
  }

  /** The same settings for another node list and ordinal (tests that bind Artery to port 0 first). */
  public ReplicationSettings withNodes(List<String> newNodes, int newOrdinal) {
    return new ReplicationSettings(newNodes, newOrdinal, replicaActorName, limboTick, idleSweep, unsyncedCommits, transport, writer);
  }

  public ReplicationSettings withWriter(Writer.Settings w) {
    return new ReplicationSettings(nodes, ordinal, replicaActorName, limboTick, idleSweep, unsyncedCommits, transport, w);
  }

  /** Where node {@code i}'s ReplicaNode lives, for an actor system named {@code systemName}. */
  public String replicaPath(String systemName, int i) {
    return "pekko://" + systemName + "@" + nodes.get(i) + "/system/" + replicaActorName;
  }
}
