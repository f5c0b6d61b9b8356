package dev.sluice.replication.node;

import dev.sluice.replication.Quorum;
import dev.sluice.replication.Writer;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * Read-only operating state of replication on one node, for metrics and the admin endpoint (README
 * "Operating"): counters of writer opens, fence rounds, recoveries and closes by reason, the live
 * writers of this node with each one's last published {@link WriterDriver.State}, and how many of
 * this node's replicas are in limbo. One per {@link ReplicationNode} ({@link ReplicationNode#metrics()}).
 *
 * <p>Costs on the append path: none here; a writer publishes its state with one volatile write per
 * message it handles. Aggregates ({@link #lagEntries}) are computed when asked, by walking the live
 * writers, so they cost a scrape, not an append.
 *
 * <p>Thread-safe.
 */
public final class ReplicationMetrics {
  private final LongAdder opens = new LongAdder();
  private final LongAdder fenceRounds = new LongAdder();
  private final LongAdder recoveries = new LongAdder();
  private final LongAdder failedOpens = new LongAdder();
  private final Map<Writer.CloseReason, LongAdder> closes = new EnumMap<>(Writer.CloseReason.class);
  private final AtomicInteger limboStreams = new AtomicInteger();
  /**
   * The published state of the newest writer of each stream with one on this node (by the holder's
   * identity); a writer removes its own entry when it stops.
   */
  private final ConcurrentHashMap<String, AtomicReference<WriterDriver.State>> writers = new ConcurrentHashMap<>();

  ReplicationMetrics() {
    for (Writer.CloseReason r : Writer.CloseReason.values()) {
      closes.put(r, new LongAdder());
    }
  }

  // ------------------------------------------------------------------ written by the node's actors

  void opening(String stream, AtomicReference<WriterDriver.State> state) {
    opens.increment();
    writers.put(stream, state);
  }

  void stopped(String stream, AtomicReference<WriterDriver.State> state) {
    writers.remove(stream, state);
  }

  void fenceRound() {
    fenceRounds.increment();
  }

  void opened() {
    recoveries.increment();
  }

  void openFailed() {
    failedOpens.increment();
  }

  void closed(Writer.CloseReason reason) {
    closes.get(reason).increment();
  }

  void limboStreams(int n) {
    limboStreams.set(n);
  }

  // ------------------------------------------------------------------ read

  /** Writers opened on this node (each one fences a new epoch and recovers the stream). */
  public long writerOpens() {
    return opens.sum();
  }

  /** Fence rounds sent by this node's writers (one per open, plus one per retry above a refusal). */
  public long fenceRounds() {
    return fenceRounds.sum();
  }

  /** Opens that completed: fenced, recovered and re-stamped, serving. */
  public long recoveries() {
    return recoveries.sum();
  }

  /** Opens that closed before serving (timeout, refused, unavailable, inconsistent, stopped). */
  public long failedOpens() {
    return failedOpens.sum();
  }

  /** Writers of this node that closed for {@code reason}. */
  public long closes(Writer.CloseReason reason) {
    return closes.get(reason).sum();
  }

  /** Streams whose replica on this node is in limbo (a replaced disk catching up), among those loaded. */
  public int limboStreams() {
    return limboStreams.get();
  }

  /** Writers running on this node now (open, opening, or closed and not yet stopped). */
  public int activeWriters() {
    return writers.size();
  }

  /** The state the newest writer of {@code stream} on this node last published, if it has one. */
  public Optional<WriterDriver.State> writer(String stream) {
    AtomicReference<WriterDriver.State> s = writers.get(stream);
    return s == null ? Optional.empty() : Optional.ofNullable(s.get());
  }

  /**
   * Replication lag per replica ordinal, summed over this node's serving writers: entries a writer
   * holds that the replica has not acknowledged yet. The owner's own replica is normally at 0; a
   * replica that is down grows by every entry appended meanwhile.
   */
  public long[] lagEntries() {
    long[] lag = new long[Quorum.REPLICAS];
    for (AtomicReference<WriterDriver.State> ref : writers.values()) {
      WriterDriver.State s = ref.get();
      if (s == null || s.phase() != Writer.Phase.SERVING) continue;
      for (int r = 0; r < lag.length; r++) lag[r] += s.lag(r);
    }
    return lag;
  }
}
