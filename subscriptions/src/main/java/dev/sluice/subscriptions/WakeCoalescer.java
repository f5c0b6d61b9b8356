package dev.sluice.subscriptions;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;

/**
 * Coalesces stream changes per subscription (issue 10: "wake notifications are coalesced per
 * subscription") and hands them to the subscription's entity, one acknowledged hand-off at a time:
 * the first change schedules a hand-off; changes arriving while it is scheduled or unacknowledged
 * only update the pending map (latest tail per stream), so a burst of appends to many streams costs
 * the subscription one message. A hand-off that is not acknowledged (the entity's node died and the
 * message with it, or the entity is still moving to another node) is merged back and sent again
 * after {@code retryDelay}: a crash loses no change. The caller (a stream entity's thread) does a
 * map update and, at most, one executor submit. Thread-safe.
 */
final class WakeCoalescer {
  /** One subscription's changes not yet handed off; guarded by itself. */
  private static final class Pending {
    Map<String, Long> tails = new HashMap<>();
    Set<String> gone = new HashSet<>();
    /** A hand-off is scheduled or awaits its acknowledgement. */
    boolean busy;
  }

  private final ConcurrentHashMap<String, Pending> pending = new ConcurrentHashMap<>();
  private final Executor executor;
  private final Executor retryLater;
  private final BiFunction<String, Changes, CompletionStage<?>> sink;

  /** What one hand-off carries (both empty: only wake the entity, so it recovers and resumes). */
  record Changes(Map<String, Long> tails, Set<String> gone) {}

  /** {@code sink} hands changes to the entity; its stage completes when the entity has them. */
  WakeCoalescer(Executor executor, Duration retryDelay, BiFunction<String, Changes, CompletionStage<?>> sink) {
    this.executor = executor;
    this.retryLater = CompletableFuture.delayedExecutor(retryDelay.toMillis(), TimeUnit.MILLISECONDS, executor);
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
      schedule = !p.busy;
      p.busy = true;
    }
    if (schedule) executor.execute(() -> flush(id, p));
  }

  /** Wakes subscription {@code id}'s entity with no change (after a node was lost: it may have run there). */
  void touch(String id) {
    Pending p = pending.computeIfAbsent(id, k -> new Pending());
    boolean schedule;
    synchronized (p) {
      schedule = !p.busy;
      p.busy = true;
    }
    if (schedule) executor.execute(() -> flush(id, p));
  }

  private void flush(String id, Pending p) {
    Changes c;
    synchronized (p) {
      c = new Changes(p.tails, p.gone);
      p.tails = new HashMap<>();
      p.gone = new HashSet<>();
    }
    sink.apply(id, c).whenComplete((ok, err) -> {
      boolean again;
      synchronized (p) {
        if (err != null) {
          // Merge back under what arrived meanwhile: newer tails win, a later re-creation beats "gone".
          c.tails().forEach((path, t) -> {
            if (!p.gone.contains(path)) p.tails.merge(path, t, Math::max);
          });
          c.gone().forEach(path -> {
            if (!p.tails.containsKey(path)) p.gone.add(path);
          });
        }
        again = err != null || !p.tails.isEmpty() || !p.gone.isEmpty();
        if (!again) p.busy = false;
      }
      if (again) (err != null ? retryLater : executor).execute(() -> flush(id, p));
    });
  }
}
