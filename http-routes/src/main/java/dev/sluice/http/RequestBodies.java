package dev.sluice.http;

import dev.sluice.actors.api.StreamRejectedException;
import dev.sluice.core.Bytes;
import dev.sluice.core.error.ErrorCode;
import dev.sluice.core.error.Rejection;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.util.ByteString;

/**
 * Reads POST/PUT bodies under the node-wide {@link BodyBudget}, deciding before any of a body is
 * read (checklist §4 "Payload limit"):
 *
 * <ul>
 *   <li>a declared {@code Content-Length} above {@link HttpSettings#maxBodyBytes()}: 413;
 *   <li>a declared length that does not fit the budget now: 503 with {@code Retry-After};
 *   <li>otherwise the whole length is reserved and the body is read straight into one array of
 *       exactly that size, so it costs its size once (not the chunks, then a copy of them);
 *   <li>a chunked body (no length) reserves each chunk as it arrives and fails the same way when
 *       it grows past the limit (413) or the budget (503).
 * </ul>
 *
 * <p>The reservation is released when the caller's stage completes, that is once the write that
 * carries the body is acknowledged or failed. A refused body is read and discarded (never kept) up
 * to {@code max-append-bytes}, so the client, which is usually still sending, reads the answer
 * instead of a connection reset; above that the answer goes out early and Pekko closes the
 * connection after it.
 *
 * <p>Failure story: reading with {@code toStrict} kept the body's network chunks and then copied
 * them into an array (2x at the peak, ~2.3x measured), and no bound held across requests: 20
 * concurrent 60 MB POSTs killed a 1 GB node.
 *
 * <p>Thread-safe.
 */
final class RequestBodies {
  /**
   * JSON bodies are flattened (core {@code Payloads}, streaming, no tree) into a buffer of the
   * body's size that is then trimmed to the compact length, all while the body is still held: each
   * of their bytes is charged three times.
   */
  static final int JSON_COST_FACTOR = 3;

  private final BodyBudget budget;
  private final long maxBody;
  private final long drainLimit;
  private final long timeoutMillis;

  RequestBodies(HttpSettings settings) {
    this(new BodyBudget(settings.bodyBudgetBytes()), settings);
  }

  RequestBodies(BodyBudget budget, HttpSettings settings) {
    this.budget = budget;
    this.maxBody = settings.maxBodyBytes();
    this.drainLimit = settings.maxAppendBytes();
    this.timeoutMillis = settings.requestBodyTimeout().toMillis();
  }

  BodyBudget budget() {
    return budget;
  }

  /**
   * Reads the body of {@code req} under the budget and runs {@code use} on it; the reservation is
   * held until {@code use}'s stage completes. Fails with a 413 rejection, an
   * {@link OverloadedException} (503), or the body's own errors (timeout 408, framing 400).
   *
   * @param costFactor budget bytes charged per body byte: 1, or {@link #JSON_COST_FACTOR}
   */
  <T> CompletionStage<T> withBody(HttpRequest req, int costFactor, Materializer mat,
                                  Function<Bytes, CompletionStage<T>> use) {
    HttpEntity entity = req.entity();
    // A body whose cost exceeds the whole budget could never be admitted: that is 413, not 503.
    long limit = Math.min(maxBody, budget.capacity() / costFactor);
    if (entity instanceof HttpEntity.Strict strict) {
      // Pekko already holds it (it arrived with the head): charge it, but there is nothing to refuse reading.
      ByteString data = strict.getData();
      if (data.size() > limit) return tooLarge(limit);
      if (data.isEmpty()) return use.apply(Bytes.EMPTY);
      long cost = (long) data.size() * costFactor;
      if (!budget.tryAcquire(cost)) return overloaded();
      return using(cost, () -> use.apply(Bytes.wrap(data.toArray())));
    }
    OptionalLong declared = entity.getContentLengthOption();
    if (declared.isPresent()) {
      long length = declared.getAsLong();
      if (length > limit) return discardThen(entity, length, tooLargeFailure(limit), mat);
      long cost = length * costFactor;
      if (!budget.tryAcquire(cost)) return discardThen(entity, length, new OverloadedException(), mat);
      CompletionStage<Bytes> read;
      try {
        read = readExactly(entity, (int) length, mat);
      } catch (RuntimeException e) {
        read = CompletableFuture.failedFuture(e);
      }
      return read.handle((body, err) -> {
        if (err != null) {
          budget.release(cost);
          return CompletableFuture.<T>failedFuture(err);
        }
        return using(cost, () -> use.apply(body));
      }).thenCompose(s -> s);
    }
    return readChunked(entity, costFactor, limit, mat).thenCompose(chunked -> {
      if (chunked.refusal != null) return CompletableFuture.<T>failedFuture(chunked.refusal);
      return using(chunked.reserved, () -> use.apply(chunked.body));
    });
  }

  /** Runs {@code op}, releasing {@code cost} when its stage completes (or when it throws). */
  private <T> CompletionStage<T> using(long cost, java.util.function.Supplier<CompletionStage<T>> op) {
    CompletionStage<T> stage;
    try {
      stage = op.get();
    } catch (RuntimeException e) {
      budget.release(cost);
      return CompletableFuture.failedFuture(e);
    }
    return stage.whenComplete((v, e) -> budget.release(cost));
  }

  /** The body of a known length, copied chunk by chunk into one array of that length. */
  private CompletionStage<Bytes> readExactly(HttpEntity entity, int length, Materializer mat) {
    byte[] target = new byte[length];
    int[] filled = {0};
    return entity.getDataBytes()
        .completionTimeout(java.time.Duration.ofMillis(timeoutMillis))
        .runWith(Sink.foreach(chunk -> {
          for (ByteBuffer b : chunk.getByteBuffers()) {
            int n = b.remaining();
            if (filled[0] + n > length) throw new IllegalStateException("body longer than its Content-Length");
            b.get(target, filled[0], n);
            filled[0] += n;
          }
        }), mat)
        .thenApply(done -> {
          if (filled[0] != length) throw new IllegalStateException("body shorter than its Content-Length");
          return Bytes.wrap(target);
        });
  }

  /** What reading a chunked body came to: the body and its reservation, or why it was refused. */
  private record Chunked(Bytes body, long reserved, RuntimeException refusal) {}

  /**
   * Collects a chunked body, reserving each chunk before keeping it. Past the limit or the budget
   * it lets go of what it kept and discards the rest, up to the drain limit (then it fails the
   * stream, and the answer goes out as the connection closes).
   */
  private CompletionStage<Chunked> readChunked(HttpEntity entity, int costFactor, long limit, Materializer mat) {
    var state = new ChunkCollector(costFactor, limit);
    return entity.getDataBytes()
        .completionTimeout(java.time.Duration.ofMillis(timeoutMillis))
        .runWith(Sink.foreach(state::accept), mat)
        .handle((done, err) -> {
          if (err != null) {
            state.letGo();
            if (state.refusal != null) return new Chunked(null, 0, state.refusal);
            throw err instanceof RuntimeException r ? r : new java.util.concurrent.CompletionException(err);
          }
          if (state.refusal != null) return new Chunked(null, 0, state.refusal);
          return new Chunked(state.body(), state.reserved, null);
        });
  }

  /** Not thread-safe: confined to the stream that feeds it (Pekko streams run a stage on one thread at a time). */
  private final class ChunkCollector {
    private final int costFactor;
    private final long limit;
    private List<ByteString> chunks = new ArrayList<>();
    private long size;
    private long reserved;
    private long discarded;
    private RuntimeException refusal;

    ChunkCollector(int costFactor, long limit) {
      this.costFactor = costFactor;
      this.limit = limit;
    }

    void accept(ByteString chunk) {
      if (refusal != null) {
        discarded += chunk.size();
        if (discarded > drainLimit) throw refusal;
        return;
      }
      long cost = (long) chunk.size() * costFactor;
      if (size + chunk.size() > limit) {
        refuse(tooLargeFailure(limit), chunk.size());
      } else if (!budget.tryAcquire(cost)) {
        refuse(new OverloadedException(), chunk.size());
      } else {
        reserved += cost;
        size += chunk.size();
        chunks.add(chunk);
      }
    }

    private void refuse(RuntimeException why, int chunkSize) {
      refusal = why;
      discarded = size + chunkSize;
      letGo();
    }

    void letGo() {
      chunks = null;
      budget.release(reserved);
      reserved = 0;
    }

    /** One array of the exact size; each chunk is dropped as soon as it is copied. */
    Bytes body() {
      if (size == 0) return Bytes.EMPTY;
      byte[] out = new byte[(int) size];
      int pos = 0;
      for (int i = 0; i < chunks.size(); i++) {
        ByteString c = chunks.set(i, null);
        for (ByteBuffer b : c.getByteBuffers()) {
          int n = b.remaining();
          b.get(out, pos, n);
          pos += n;
        }
      }
      chunks = null;
      return Bytes.wrap(out);
    }
  }

  /**
   * Reads and drops a refused body of a known length (up to the drain limit), then fails with
   * {@code why}. Whatever happens while draining, the answer is {@code why}.
   */
  private <T> CompletionStage<T> discardThen(HttpEntity entity, long length, RuntimeException why, Materializer mat) {
    if (length > drainLimit) return CompletableFuture.failedFuture(why);
    return entity.getDataBytes()
        .completionTimeout(java.time.Duration.ofMillis(timeoutMillis))
        .runWith(Sink.ignore(), mat)
        .handle((done, err) -> {
          throw why;
        });
  }

  private static StreamRejectedException tooLargeFailure(long limit) {
    return new StreamRejectedException(
        Rejection.of(ErrorCode.PAYLOAD_TOO_LARGE, "request body exceeds " + limit + " bytes"));
  }

  private static <T> CompletionStage<T> tooLarge(long limit) {
    return CompletableFuture.failedFuture(tooLargeFailure(limit));
  }

  private static <T> CompletionStage<T> overloaded() {
    return CompletableFuture.failedFuture(new OverloadedException());
  }
}
