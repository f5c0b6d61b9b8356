package dev.sluice.actors.tail;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Node-local wake-up hub for live readers (long-poll and SSE): one pending future per stream path,
 * completed by the stream's entity after every durable change (ARCHITECTURE.md "Reads and live
 * tailing"). Thousands of waiters of one stream share one future, so an append costs one
 * completion per node, not one message per client.
 *
 * <p>Use: {@link #listen} first, then read the stream's state, and only then wait on the future;
 * a change between the two is never missed because the future was already registered.
 *
 * <p>Thread-safe.
 */
public final class TailHub {
  /** What changed: the committed tail of the incarnation {@code storeId}, or that the path is gone. */
  public record TailUpdate(long storeId, long tail, boolean closed, boolean gone) {
    /** A wake-up without a change: waiters re-check the stream (see {@link #listen}). */
    public static final TailUpdate SPURIOUS = new TailUpdate(-1, -1, false, false);

    public boolean isSpurious() {
      return this == SPURIOUS;
    }
  }

  /**
   * A waiter that times out stays attached to the shared future until it completes. On a stream
   * that sees no writes, long-polls would pile up; past this many dependents the future is
   * completed spuriously and replaced, which lets the dead ones go.
   */
  private static final int MAX_DEPENDENTS = 4096;

  private final ConcurrentHashMap<String, CompletableFuture<TailUpdate>> waiters = new ConcurrentHashMap<>();

  /** The future completed by the next change of {@code path}. */
  public CompletableFuture<TailUpdate> listen(String path) {
    CompletableFuture<TailUpdate> f = waiters.computeIfAbsent(path, p -> new CompletableFuture<>());
    if (f.getNumberOfDependents() > MAX_DEPENDENTS && waiters.remove(path, f)) {
      f.complete(TailUpdate.SPURIOUS);
      f = waiters.computeIfAbsent(path, p -> new CompletableFuture<>());
    }
    return f;
  }

  private volatile boolean closing;

  /**
   * The node is shutting down: wake every waiter and make later waits return at once, so
   * long-polls answer 204 and SSE responses end instead of holding CoordinatedShutdown's
   * "service-requests-done" phase until their timeouts (a client that went away is never noticed).
   */
  public void shutdown() {
    closing = true;
    for (String path : waiters.keySet()) {
      CompletableFuture<TailUpdate> f = waiters.remove(path);
      if (f != null) f.complete(TailUpdate.SPURIOUS);
    }
  }

  public boolean isClosing() {
    return closing;
  }

  /** Called by the entity after a change is durable (never before: readers see committed data only). */
  public void publish(String path, TailUpdate update) {
    CompletableFuture<TailUpdate> f = waiters.remove(path);
    if (f != null) f.complete(update);
  }

  /** Number of paths with waiters (for metrics and tests). */
  public int activePaths() {
    return waiters.size();
  }
}
