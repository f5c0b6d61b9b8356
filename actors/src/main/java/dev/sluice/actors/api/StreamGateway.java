package dev.sluice.actors.api;

import dev.sluice.core.rules.StreamView;
import dev.sluice.core.rules.Commands;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.javadsl.Source;

/**
 * Every stream operation, as futures. The HTTP routes and embedding applications use only this.
 * Futures fail with {@link StreamRejectedException} for protocol rejections (4xx) and with
 * {@link StreamUnavailableException} when the outcome is unknown (503, retry).
 *
 * <p>Paths are stream names relative to the stream root (for HTTP: what follows {@code /v1/stream/}).
 * Thread-safe.
 */
public interface StreamGateway {
  /** PUT: create, idempotent re-create, or fork (PROTOCOL.md §5.1). */
  CompletionStage<Commands.CreateResult> create(String path, Commands.Create cmd);

  /** POST: append, close, append-and-close, with Stream-Seq and producer rules (PROTOCOL.md §5.2). */
  CompletionStage<Commands.AppendResult> append(String path, Commands.Append cmd);

  /** Metadata for reads ({@code touch} = a read that refreshes sliding TTL; HEAD passes false). */
  CompletionStage<StreamView> view(String path, boolean touch);

  /** DELETE: purge, or soft-delete while forks still read the data (checklist §7). */
  CompletionStage<Done> delete(String path);

  /** Reads committed data of {@code view} from {@code fromPos}, off the caller's thread. */
  CompletionStage<ReadChunk> read(StreamView view, long fromPos, int maxBytes);

  /**
   * Waits until the stream has committed data beyond {@code fromPos} or is closed. Completes with
   * the fresh view, or empty when {@code timeout} passes first (the long-poll 204).
   */
  CompletionStage<Optional<StreamView>> awaitBeyond(String path, long fromPos, Duration timeout);

  /**
   * A live tail (SSE, embedding): starting from {@code fromPos} of {@code initial} (a view already
   * fetched, so a missing stream fails before streaming starts), emits chunks of committed data;
   * an empty chunk with {@code upToDate} whenever it has caught up (at once, then after every
   * {@code idleTimeout} without new data, as a keep-alive); the chunk with {@code closedAtEnd}
   * last. Completes after that chunk, after {@code maxDuration} (SSE connection cycling; null = never), or
   * fails with {@link StreamRejectedException} when the stream is deleted.
   */
  Source<ReadChunk, NotUsed> tail(
      String path, StreamView initial, long fromPos, Duration idleTimeout, Duration maxDuration, int maxChunkBytes);
}
