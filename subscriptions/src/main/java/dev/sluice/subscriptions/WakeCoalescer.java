package dev.sluice.subscriptions;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;

/**
 * Coalesces stream changes per subscription (issue 10: "wake notifications are coalesced per
 * subscription"): the first change of a subscription schedules one hand-off; changes arriving
 * before it runs only update the pending map (latest tail per stream), so a burst of appends to
 * many streams costs the subscription one message. The caller (a stream entity's thread) does a
 * map update and, at most, one executor submit. Thread-safe.
 */
final class WakeCoalescer {
  /** One subscription's changes not yet handed off; guarded by itself. */
  private static final class Pending {
    Map<String, Long> tails = new HashMap<>();
    Set<String> gone = new HashSet<>();
    boolean scheduled;
  }

  private final ConcurrentHashMap<String, Pending> pending = new ConcurrentHashMap<>();
  private final Executor executor;
  private final BiConsumer<String, Changes> sink;

  /** What one hand-off carries. */
  record Changes(Map<String, Long> tails, Set<String> gone) {}

  WakeCoalescer(Executor executor, BiConsumer<String, Changes> sink) {
    this.executor = executor;
    this.sink = sink;
  }

  /** {@code tail} of {@code path} changed for subscription {@code id} ({@code gone}: the stream no longer exists). */
  void add(String id, String path, long tail, boolean gone) {
    Pending p = pending.computeIfAbsent(id, k -> new Pending());
    boolean schedule;
    synchronized (p) {
      if (gone) {
        p.gone.add(path);
        p.tails.remove(path);
      } else {
        p.gone.remove(path);
        p.tails.merge(path, tail, Math::max);
      }
      schedule = !p.scheduled;
      p.scheduled = true;
    }
    if (schedule) executor.execute(() -> flush(id, p));
  }

  private void flush(String id, Pending p) {
    Changes c;
    synchronized (p) {
      c = new Changes(p.tails, p.gone);
      p.tails = new HashMap<>();
      p.gone = new HashSet<>();
      p.scheduled = false;
    }
    sink.accept(id, c);
  }
}
