package dev.sluice.bench.failover;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Keeps appending to one stream, {@code rate} times a second, each attempt through the next node in
 * turn with a client timeout; a failed attempt is retried at once through the next node (at most one
 * attempt per {@link #RETRY_GAP_NANOS}), with the same record, until acknowledged. Runs on its own
 * thread; the controller reads its volatile fields.
 *
 * <p>Recovery after a kill: the controller calls {@link #watchFrom(long)} with the moment the kill
 * had been sent; the first acknowledged attempt <em>started</em> at or after it sets
 * {@link #recoveredAt()}. An append in flight across the kill does not count, so a stream whose
 * owner died is only "recovered" once an append sent to the surviving cluster got through.
 */
final class StreamAppender implements Runnable {

  static final long RETRY_GAP_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  private final int index;
  private final String name;
  private final List<URI> uris;
  private final HttpClient client;
  private final Duration timeout;
  private final long intervalNanos;
  private volatile boolean running = true;
  private volatile long acked;
  private volatile long lastAckNanos;
  private volatile long watchFrom = Long.MAX_VALUE;
  private volatile long recoveredAt;
  private final LongAdder failuresSinceWatch = new LongAdder();
  private volatile Map<String, LongAdder> failureKinds = new ConcurrentHashMap<>();
  private volatile long lastFailureNanos;

  StreamAppender(int index, String name, List<URI> uris, HttpClient client, Duration timeout, double rate) {
    this.index = index;
    this.name = name;
    this.uris = List.copyOf(uris);
    this.client = client;
    this.timeout = timeout;
    this.intervalNanos = (long) (1e9 / rate);
  }

  String name() {
    return name;
  }

  int index() {
    return index;
  }

  /** Seqs 0..acked-1 were acknowledged. */
  long acked() {
    return acked;
  }

  long lastAckNanos() {
    return lastAckNanos;
  }

  long lastFailureNanos() {
    return lastFailureNanos;
  }

  /** Starts watching for recovery: attempts started at or after {@code nanos} count; resets the failure counts. */
  void watchFrom(long nanos) {
    recoveredAt = 0;
    failuresSinceWatch.reset();
    failureKinds = new ConcurrentHashMap<>();
    watchFrom = nanos;
  }

  /** When the first attempt started after {@link #watchFrom} was acknowledged; 0 until then. */
  long recoveredAt() {
    return recoveredAt;
  }

  long failuresSinceWatch() {
    return failuresSinceWatch.sum();
  }

  /** Failed attempts since {@link #watchFrom} by kind ({@code HTTP 503}, {@code timeout}, {@code ConnectException}). */
  Map<String, LongAdder> failureKinds() {
    return failureKinds;
  }

  void stop() {
    running = false;
  }

  @Override
  public void run() {
    long seq = 0;
    int node = index % uris.size();
    long nextAt = System.nanoTime();
    while (running) {
      long wait = nextAt - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(Math.min(wait, TimeUnit.MILLISECONDS.toNanos(50)));
        continue;
      }
      long start = System.nanoTime();
      String failure = attempt(uris.get(node), Records.record(index, seq));
      long end = System.nanoTime();
      node = (node + 1) % uris.size();
      if (failure == null) {
        seq++;
        acked = seq;
        lastAckNanos = end;
        if (recoveredAt == 0 && start - watchFrom >= 0) recoveredAt = end;
        nextAt = start + intervalNanos;
      } else {
        lastFailureNanos = end;
        if (start - watchFrom >= 0) {
          failuresSinceWatch.increment();
          failureKinds.computeIfAbsent(failure, k -> new LongAdder()).increment();
        }
        nextAt = start + RETRY_GAP_NANOS;
      }
    }
  }

  /** One POST; null when acknowledged, else what went wrong. */
  private String attempt(URI uri, byte[] body) {
    HttpRequest req = HttpRequest.newBuilder(uri).timeout(timeout)
        .header("Content-Type", "application/octet-stream")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
    try {
      HttpResponse<Void> r = client.send(req, HttpResponse.BodyHandlers.discarding());
      int s = r.statusCode();
      return s == 204 || s == 200 ? null : "HTTP " + s;
    } catch (HttpTimeoutException e) {
      return "timeout";
    } catch (IOException e) {
      return e.getClass().getSimpleName();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running = false;
      return "interrupted";
    }
  }
}
