package dev.sluice.subscriptions;

import dev.sluice.subscriptions.Subscriptions.Recovery;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The recoveries of subscription entities on this node (issue 10): totals for the node's metrics
 * ({@code sluice_subscriptions_recoveries_total} and the events they replayed, README "Operating"),
 * and the last {@link #RECENT} recoveries by subscription id. Bounded: every subscription created,
 * woken or moved here recovers once, and a node that sees many come and go over its life must not
 * keep a record of each. Thread-safe; called once per entity start, never on the append path.
 */
public final class RecoveryStats {
  /** How many recoveries are kept by id: enough to look at the ones of a recent restart or move. */
  public static final int RECENT = 256;

  private final LongAdder recoveries = new LongAdder();
  private final LongAdder replayedEvents = new LongAdder();
  private final AtomicLong maxReplayedEvents = new AtomicLong();
  /** Insertion order, a re-recovered id moved to the end; guarded by itself. */
  private final LinkedHashMap<String, Recovery> recent = new LinkedHashMap<>(RECENT * 2, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Recovery> eldest) {
      return size() > RECENT;
    }
  };

  void record(String id, long sequenceNr, long replayed) {
    recoveries.increment();
    replayedEvents.add(replayed);
    maxReplayedEvents.accumulateAndGet(replayed, Math::max);
    synchronized (recent) {
      recent.remove(id);
      recent.put(id, new Recovery(sequenceNr, replayed));
    }
  }

  /** The subscription was deleted: its record goes (the totals keep counting it). */
  void forget(String id) {
    synchronized (recent) {
      recent.remove(id);
    }
  }

  /** The last recovery of {@code id} here, or null: not run here, deleted since, or older than the last {@link #RECENT}. */
  public Recovery last(String id) {
    synchronized (recent) {
      return recent.get(id);
    }
  }

  /** How many recoveries are kept by id now (at most {@link #RECENT}). */
  public int kept() {
    synchronized (recent) {
      return recent.size();
    }
  }

  /** Subscription entities recovered on this node since it started (a new subscription's first start included). */
  public long recoveries() {
    return recoveries.sum();
  }

  /** Journal events those recoveries replayed after their snapshots. */
  public long replayedEvents() {
    return replayedEvents.sum();
  }

  /** The most events one recovery replayed since the node started: about {@code snapshot-every} at most when snapshots work. */
  public long maxReplayedEvents() {
    return maxReplayedEvents.get();
  }
}
