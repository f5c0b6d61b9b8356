package dev.sluice.server.ops;

import dev.sluice.core.CborSerializable;
import dev.sluice.core.spi.StreamDataStore;
import dev.sluice.persistence.replicated.Replication;
import dev.sluice.persistence.rocksdb.RocksDbReplicaStore;
import dev.sluice.replication.ReplicaState;
import dev.sluice.replication.node.ReplicationMetrics;
import dev.sluice.replication.node.WriterDriver;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Answers, on one node, what that node holds of one stream: its writer if this node owns the stream
 * (epoch, tail, commit point, entries acknowledged per replica: {@link WriterDriver.State}), its
 * replica (promised epoch, stored and committed entries, how far it materialized, limbo:
 * {@link ReplicaState} and {@link RocksDbReplicaStore#materializedUpTo}), and how many bytes of the
 * stream's data this node's copy holds. Read-only: it never opens, fences or touches the stream.
 *
 * <p>One per node at {@code /system/}{@value #NAME}, so the admin endpoint of any node can ask every
 * member ({@code GET /admin/streams/...}). Runs on the blocking-IO dispatcher: the replica meta and
 * the data end are RocksDB reads.
 */
public final class StreamInspector {
  public static final String NAME = "sluice-stream-inspector";

  public sealed interface Command extends CborSerializable permits Inspect {}

  /** What does this node hold of {@code persistenceId} (data of store {@code storeId})? */
  public record Inspect(String persistenceId, long storeId, ActorRef<NodeReport> replyTo) implements Command {}

  /**
   * One node's answer. {@code ordinal} is its replica ordinal (-1 on a single node); {@code writer}
   * and {@code replica} are null where this node has none; {@code storedBytes} is where this node's
   * copy of the stream's own data ends (its byte position); {@code error} says why something could
   * not be read.
   */
  public record NodeReport(String node, int ordinal, WriterInfo writer, ReplicaInfo replica, long storedBytes, String error)
      implements CborSerializable {}

  /**
   * The owner's writer: entries are the replicated log's (1-based), not byte offsets; per replica
   * ordinal, the entries it is known to hold and its lag ({@link WriterDriver.State#lag}).
   */
  public record WriterInfo(String phase, long epoch, long tailEntry, long committedEntry, List<Long> ackedEntries,
                           List<Long> lagEntries) implements CborSerializable {}

  /** This node's replica of the stream's log. */
  public record ReplicaInfo(long promisedEpoch, long storedEntry, long storedEntryEpoch, long committedEntry,
                            long materializedEntry, boolean limbo) implements CborSerializable {}

  private StreamInspector() {}

  /** Starts this node's inspector (once per node). */
  public static ActorRef<Command> start(ActorSystem<?> system, StreamDataStore data, String blockingIoDispatcher) {
    return system.systemActorOf(behavior(system, data), NAME, DispatcherSelector.fromConfig(blockingIoDispatcher));
  }

  private static Behavior<Command> behavior(ActorSystem<?> system, StreamDataStore data) {
    String self = system.address().toString();
    return Behaviors.receiveMessage(cmd -> {
      Inspect q = (Inspect) cmd;
      q.replyTo().tell(report(system, self, data, q));
      return Behaviors.same();
    });
  }

  static NodeReport report(ActorSystem<?> system, String self, StreamDataStore data, Inspect q) {
    List<String> errors = new ArrayList<>();
    long stored = -1;
    try {
      stored = q.storeId() == 0 ? 0 : data.storedEnd(q.storeId());
    } catch (RuntimeException e) {
      errors.add("data: " + e.getMessage());
    }
    Replication replication = Replication.get(system);
    if (!replication.started()) {
      return new NodeReport(self, -1, null, null, stored, errors.isEmpty() ? null : String.join("; ", errors));
    }
    int ordinal = replication.node().ordinal();
    ReplicationMetrics metrics = replication.node().metrics();
    WriterInfo writer = metrics.writer(q.persistenceId()).map(StreamInspector::writerInfo).orElse(null);
    ReplicaInfo replica = null;
    try {
      RocksDbReplicaStore store = replication.replicaStore();
      ReplicaState meta = store.meta(q.persistenceId());
      if (meta != null) {
        replica = new ReplicaInfo(meta.promised(), meta.tailSeq(), meta.tailEpoch(), meta.lac(),
            store.materializedUpTo(q.persistenceId()), meta.limbo());
      }
    } catch (RuntimeException e) {
      errors.add("replica: " + e.getMessage());
    }
    return new NodeReport(self, ordinal, writer, replica, stored, errors.isEmpty() ? null : String.join("; ", errors));
  }

  private static WriterInfo writerInfo(WriterDriver.State s) {
    List<Long> acked = new ArrayList<>();
    List<Long> lag = new ArrayList<>();
    long[] a = s.acked();
    for (int r = 0; r < a.length; r++) {
      acked.add(a[r]);
      lag.add(s.lag(r));
    }
    return new WriterInfo(s.phase().name(), s.epoch(), s.tailSeq(), s.lac(), acked, lag);
  }
}
