package dev.sluice.replication;

import java.util.ArrayList;
import java.util.List;

/**
 * What a replica driver knows of one stream between steps: the durable meta and log from its
 * {@link ReplicaStore}, plus the changes of steps whose persist has not completed yet. {@link #log()}
 * is the overlay {@link Replica#handle} must see ({@link ReplicaLog}: "every change of earlier steps,
 * durable or not"). Entries of in-flight changes are kept in memory until their persist completes.
 *
 * <p>The durable view may run ahead of this object: a store's batch lands (and its log view shows it)
 * before the driver hears so and calls {@link #persisted()}; an actor handles other messages in between.
 * So the overlay never asks the durable view for its tail while changes are in flight; it tracks the
 * tail the durable view had when it was handed in, advanced by each change that {@link #persisted()}
 * reports, and reads from the durable view only entries at or below that tail and below every in-flight
 * truncation (the entries a landing change cannot touch).
 *
 * <p>Not thread-safe: owned by the driver, one instance per stream.
 */
public final class PendingReplica {
  private final ReplicaLog durable;
  /** The durable log's tail as of the changes reported by {@link #persisted()} (not as the store sees it now). */
  private long durableTail;
  private ReplicaState meta;
  /** In-flight changes, oldest first, each with the tail it leaves. */
  private final List<LogChange> inFlight = new ArrayList<>();

  public PendingReplica(ReplicaState durableMeta, ReplicaLog durableLog) {
    this.meta = durableMeta;
    this.durable = durableLog;
    this.durableTail = durableLog.tailSeq();
  }

  /** The latest meta, durable or not: the state the next step runs against. */
  public ReplicaState meta() {
    return meta;
  }

  /** A step produced {@code next} and {@code change}; they are being persisted. */
  public void stepped(ReplicaState next, LogChange change) {
    meta = next;
    if (!change.isEmpty()) inFlight.add(change);
  }

  /** The oldest in-flight change is durable: the durable view now holds it. */
  public void persisted() {
    if (!inFlight.isEmpty()) durableTail = inFlight.remove(0).tailAfter(durableTail);
  }

  /** Whether changes are still in flight (the driver must keep this object until they land). */
  public boolean hasInFlight() {
    return !inFlight.isEmpty();
  }

  /** The log as of the latest step: the durable log with every in-flight change applied in order. */
  public ReplicaLog log() {
    if (inFlight.isEmpty()) return durable;
    return new Overlay();
  }

  private final class Overlay implements ReplicaLog {
    /** The durable prefix still visible below every in-flight truncation, and the in-memory rest. */
    private final long durableUpTo;
    private final List<Entry> memory = new ArrayList<>();

    Overlay() {
      long keep = durableTail;
      for (LogChange c : inFlight) {
        long tailBefore = keep + memory.size();
        if (c.truncates() && c.truncateAfter() < tailBefore) {
          if (c.truncateAfter() <= keep) {
            keep = c.truncateAfter();
            memory.clear();
          } else {
            memory.subList((int) (c.truncateAfter() - keep), memory.size()).clear();
          }
        }
        memory.addAll(c.append());
      }
      durableUpTo = keep;
    }

    @Override
    public long tailSeq() {
      return durableUpTo + memory.size();
    }

    @Override
    public long epochAt(long seq) {
      if (seq == 0) return Epoch.NONE;
      return seq <= durableUpTo ? durable.epochAt(seq) : memory.get((int) (seq - durableUpTo - 1)).epoch();
    }

    @Override
    public List<Entry> entries(long fromSeq, int max, long maxBytes) {
      List<Entry> out = new ArrayList<>();
      if (fromSeq < durableUpTo) {
        for (Entry e : durable.entries(fromSeq, max, maxBytes)) {
          if (e.seq() > durableUpTo) break;
          out.add(e);
        }
      }
      long next = fromSeq + out.size();
      if (next >= durableUpTo) {
        for (int i = (int) (next - durableUpTo); i < memory.size(); i++) out.add(memory.get(i));
      }
      return ReplicaLog.page(out, max, maxBytes);
    }
  }
}
