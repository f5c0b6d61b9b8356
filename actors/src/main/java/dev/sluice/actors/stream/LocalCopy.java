package dev.sluice.actors.stream;

import dev.sluice.core.Bytes;
import dev.sluice.core.rules.Commands;
import dev.sluice.core.rules.StreamRules;
import dev.sluice.core.spi.StreamDataStore;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Reading committed data from THIS node's copy of a stream. On a replicated cluster a node that does
 * not own the stream materializes committed entries a few milliseconds after the owner acknowledged
 * them (docs/replication-wiring.md "Reads through any node"), so a read that finds its range missing
 * throws {@link DataNotLocalYetException} and is tried again here, with a doubling delay, for at most
 * {@link #WAIT_MILLIS} in total. The one place that decides how long a read waits for the local copy:
 * HTTP reads (the gateway) and a fork's sub-offset prefix (the fork's own node) both use it.
 */
public final class LocalCopy {
  /** How long a read waits for this node's copy to catch up with the committed tail, in total. */
  public static final long WAIT_MILLIS = 3_000;

  private LocalCopy() {}

  /**
   * Runs {@code attempt} on {@code executor}; while it throws {@link DataNotLocalYetException}, runs
   * it again after 1, 2, 4, ... ms. Fails with the last {@link DataNotLocalYetException} once the
   * delays add up to more than {@link #WAIT_MILLIS}; any other failure passes through at once.
   */
  public static <T> CompletionStage<T> await(Supplier<T> attempt, Executor executor) {
    return await(attempt, executor, 1);
  }

  private static <T> CompletionStage<T> await(Supplier<T> attempt, Executor executor, long delayMillis) {
    return CompletableFuture.supplyAsync(attempt, executor).handle((value, err) -> {
      Throwable cause = err instanceof CompletionException ? err.getCause() : err;
      if (cause == null) return CompletableFuture.completedFuture(value);
      if (!(cause instanceof DataNotLocalYetException) || delayMillis > WAIT_MILLIS) return CompletableFuture.<T>failedFuture(cause);
      Executor later = CompletableFuture.delayedExecutor(delayMillis, TimeUnit.MILLISECONDS, executor);
      return CompletableFuture.supplyAsync(() -> null, later).thenCompose(x -> await(attempt, executor, delayMillis * 2));
    }).thenCompose(f -> f);
  }

  /**
   * The first {@code n} bytes (or JSON messages) of the source unit a fork is anchored on, empty if
   * the unit is shorter (the client's sub-offset is invalid). The grant was given for an offset
   * below the source's committed tail, so a unit starts there: if this node's copy does not reach
   * it yet, that is lag, not a bad sub-offset. Blocking.
   */
  public static Optional<Bytes> anchorPrefix(StreamDataStore store, Commands.ForkGrant grant, boolean json, long n) {
    if (grant.anchorStoreId() < 0) return Optional.empty();
    long position = grant.forkOffset().position();
    var unit = store.unitAt(grant.anchorStoreId(), position);
    if (unit.isEmpty()) {
      long stored = store.storedEnd(grant.anchorStoreId());
      if (stored <= position) throw new DataNotLocalYetException(grant.anchorStoreId(), stored, position + 1);
      return Optional.empty();
    }
    return Optional.ofNullable(StreamRules.subOffsetPrefix(unit.get().data(), json, n));
  }
}
