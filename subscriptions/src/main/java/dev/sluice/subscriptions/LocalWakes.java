package dev.sluice.subscriptions;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongConsumer;

/**
 * In-process listeners of {@code local} subscriptions (the embedding API): told the generation of
 * every wake their subscription starts on this node. Thread-safe.
 */
final class LocalWakes {
  private final ConcurrentHashMap<String, Set<LongConsumer>> listeners = new ConcurrentHashMap<>();

  /** Registers {@code l}; run the returned action to deregister. */
  Runnable listen(String id, LongConsumer l) {
    listeners.computeIfAbsent(id, k -> ConcurrentHashMap.newKeySet()).add(l);
    return () -> listeners.computeIfPresent(id, (k, set) -> {
      set.remove(l);
      return set.isEmpty() ? null : set;
    });
  }

  void wake(String id, long generation) {
    Set<LongConsumer> set = listeners.get(id);
    if (set != null) set.forEach(l -> l.accept(generation));
  }

  void closeAll(String id) {
    Set<LongConsumer> set = listeners.remove(id);
    if (set != null) set.forEach(l -> l.accept(-1));
  }
}
