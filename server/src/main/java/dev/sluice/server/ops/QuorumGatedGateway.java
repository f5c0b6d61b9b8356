package dev.sluice.server.ops;

import dev.sluice.actors.api.ReadChunk;
import dev.sluice.actors.api.StreamGateway;
import dev.sluice.actors.api.StreamUnavailableException;
import dev.sluice.core.rules.Commands;
import dev.sluice.core.rules.StreamView;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.javadsl.Source;

/**
 * Answers writes at once with "unavailable" (503, retry) while this node cannot reach a quorum of
 * its replica set, instead of letting each one wait for its entity's ask timeout (8 s): without a
 * quorum no append can be acknowledged and no stream opened, so the wait could only end in the same
 * 503. Creates, appends and deletes are gated; reads go through (a running entity still serves its
 * committed view, and reads never change anything). The verdict is {@link Readiness#quorumProblem},
 * the one that also makes the node not ready; on a single node it never has a problem.
 *
 * <p>A write already waiting when the quorum goes is answered 503 at the next {@link #recheck()}
 * (the server calls it every 100 ms): its outcome is unknown either way, which is what 503 means
 * here (retry; idempotent producers make the retry safe). Waiting writes are held in a set, not as
 * dependents of a shared future, so one that completes normally leaves nothing behind.
 */
public final class QuorumGatedGateway implements StreamGateway {
  private final StreamGateway delegate;
  private final Supplier<Optional<String>> quorumProblem;
  /** Writes in flight, each with its stream path; failed by {@link #recheck()} when the quorum goes. */
  private final Map<CompletableFuture<?>, String> waiting = new ConcurrentHashMap<>();

  public QuorumGatedGateway(StreamGateway delegate, Supplier<Optional<String>> quorumProblem) {
    this.delegate = delegate;
    this.quorumProblem = quorumProblem;
  }

  /** Fails every waiting write if the quorum is gone now. */
  public void recheck() {
    if (waiting.isEmpty()) return;
    Optional<String> problem = quorumProblem.get();
    if (problem.isEmpty()) return;
    for (Map.Entry<CompletableFuture<?>, String> w : waiting.entrySet()) {
      w.getKey().completeExceptionally(unavailable(w.getValue(), problem.get()));
    }
  }

  private static StreamUnavailableException unavailable(String path, String problem) {
    return new StreamUnavailableException("not written to " + path + " (or the outcome is unknown): " + problem, null);
  }

  private <T> CompletionStage<T> gated(String path, Supplier<CompletionStage<T>> write) {
    Optional<String> problem = quorumProblem.get();
    if (problem.isPresent()) return CompletableFuture.failedFuture(unavailable(path, problem.get()));
    CompletableFuture<T> result = new CompletableFuture<>();
    waiting.put(result, path);
    result.whenComplete((v, e) -> waiting.remove(result));
    write.get().whenComplete((v, e) -> {
      if (e == null) result.complete(v);
      else result.completeExceptionally(e instanceof CompletionException && e.getCause() != null ? e.getCause() : e);
    });
    return result;
  }

  @Override
  public CompletionStage<Commands.CreateResult> create(String path, Commands.Create cmd) {
    return gated(path, () -> delegate.create(path, cmd));
  }

  @Override
  public CompletionStage<Commands.AppendResult> append(String path, Commands.Append cmd) {
    return gated(path, () -> delegate.append(path, cmd));
  }

  @Override
  public CompletionStage<Done> delete(String path) {
    return gated(path, () -> delegate.delete(path));
  }

  @Override
  public CompletionStage<StreamView> view(String path, boolean touch) {
    return delegate.view(path, touch);
  }

  @Override
  public CompletionStage<ReadChunk> read(StreamView view, long fromPos, int maxBytes) {
    return delegate.read(view, fromPos, maxBytes);
  }

  @Override
  public CompletionStage<Optional<StreamView>> awaitBeyond(String path, long fromPos, Duration timeout) {
    return delegate.awaitBeyond(path, fromPos, timeout);
  }

  @Override
  public Source<ReadChunk, NotUsed> tail(String path, StreamView initial, long fromPos, Duration idleTimeout,
                                         Duration maxDuration, int maxChunkBytes) {
    return delegate.tail(path, initial, fromPos, idleTimeout, maxDuration, maxChunkBytes);
  }
}
