package dev.sluice.persistence.rocksdb;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * INTERNAL API. Who waits for a stream's replica to materialize up to some entry: the owner's journal
 * completes a write only once its own node can read it (docs/replication-wiring.md), and a new owner
 * answers Pekko's recovery only once its node has the whole committed log.
 *
 * <p>Race-free by order: a waiter registers BEFORE it reads the durable {@code materializedUpTo}, and a
 * persist notifies AFTER its batch is durable and readable. Either the read sees the batch, or the
 * batch's notification finds the waiter.
 *
 * <p>Thread-safe (one lock; registrations and notifications are short). Futures complete outside the
 * lock, on the notifying thread (the group-commit writer's): callers attach only trivial stages.
 */
final class MaterializationWaiters {
  private record Waiter(long seq, CompletableFuture<Void> future) {}

  private final Map<String, List<Waiter>> byStream = new HashMap<>();

  /** A future that {@link #materialized} completes once {@code stream} reaches {@code seq}. */
  CompletableFuture<Void> register(String stream, long seq) {
    CompletableFuture<Void> f = new CompletableFuture<>();
    synchronized (this) {
      byStream.computeIfAbsent(stream, k -> new ArrayList<>(2)).add(new Waiter(seq, f));
    }
    // A waiter given up on (timed out by its caller) must not stay registered for a stream that never
    // materializes again.
    f.whenComplete((v, e) -> {
      if (e != null) forget(stream, f);
    });
    return f;
  }

  /** {@code stream} is materialized up to {@code upTo}: completes every waiter at or below it. */
  void materialized(String stream, long upTo) {
    List<Waiter> done = new ArrayList<>();
    synchronized (this) {
      List<Waiter> ws = byStream.get(stream);
      if (ws == null) {
        return;
      }
      ws.removeIf(w -> {
        if (w.seq() > upTo) {
          return false;
        }
        done.add(w);
        return true;
      });
      if (ws.isEmpty()) {
        byStream.remove(stream);
      }
    }
    for (Waiter w : done) {
      w.future().complete(null);
    }
  }

  private synchronized void forget(String stream, CompletableFuture<Void> f) {
    List<Waiter> ws = byStream.get(stream);
    if (ws != null) {
      ws.removeIf(w -> w.future() == f);
      if (ws.isEmpty()) {
        byStream.remove(stream);
      }
    }
  }

  /** Streams with at least one waiter (tests: nothing leaks). */
  synchronized int streamsWaitedOn() {
    return byStream.size();
  }
}
