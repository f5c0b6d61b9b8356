package dev.sluice.it.support;

import dev.sluice.it.support.AppendHistory.Attempt;
import dev.sluice.it.support.AppendHistory.Outcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Modest, paced client load on a {@link ClusterOfThree}, every append recorded in an
 * {@link AppendHistory}:
 *
 * <ul>
 *   <li>{@code plainWriters} threads append new tokens round-robin over the streams and over all
 *       three nodes (also a node that is dead or paused: clients do not know);
 *   <li>{@code producers} idempotent producers, producer {@code k} on stream {@code k % streams},
 *       {@code Producer-Epoch: 0}, {@code Producer-Seq} 0, 1, 2, ...; after an unknown outcome the
 *       same seq and body are retried through the next node until it is acknowledged (200) or found
 *       a duplicate (204);
 *   <li>one impatient prober (1 s per request) appending to each stream in turn through the nodes
 *       not in {@link #avoid}: the first of its acknowledgements after a fault measures when a stream
 *       accepts appends again, without waiting for a slow client's timeout.
 * </ul>
 *
 * Each thread waits {@code pause} between its requests. {@link #close} stops and joins all threads
 * (bounded by the request timeout).
 */
public final class ClusterLoad implements AutoCloseable {
  private final ClusterOfThree cluster;
  private final AppendHistory history;
  private final List<String> streams;
  private final Duration timeout;
  private final Duration pause;
  private final List<Thread> threads = new ArrayList<>();
  private final ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
  private final AtomicInteger avoidMask = new AtomicInteger();
  private final AtomicInteger producerStalls = new AtomicInteger();
  private volatile boolean stop;

  public ClusterLoad(ClusterOfThree cluster, AppendHistory history, List<String> streams, Duration timeout, Duration pause) {
    this.cluster = cluster;
    this.history = history;
    this.streams = List.copyOf(streams);
    this.timeout = timeout;
    this.pause = pause;
  }

  /** Starts the threads; producer ids get {@code tag} so runs never share one. */
  public ClusterLoad start(int plainWriters, int producers, boolean prober) {
    for (int w = 0; w < plainWriters; w++) {
      int writer = w;
      spawn("plain-" + w, () -> plainWriter(writer));
    }
    for (int p = 0; p < producers; p++) {
      int producer = p;
      spawn("producer-" + p, () -> producer(producer));
    }
    if (prober) spawn("prober", this::prober);
    return this;
  }

  /** Nodes the prober stays away from (the node a fault is applied to), or none. */
  public void avoid(int... nodes) {
    int mask = 0;
    for (int n : nodes) mask |= 1 << n;
    avoidMask.set(mask);
  }

  /** Unexpected answers seen by the producers (a definite rejection: 4xx). */
  public List<String> problems() {
    return new ArrayList<>(problems);
  }

  private void spawn(String name, Runnable body) {
    Thread t = new Thread(body, "load-" + name);
    t.setDaemon(true);
    threads.add(t);
    t.start();
  }

  private void plainWriter(int writer) {
    Random rnd = new Random(writer * 31L + 7);
    try (HistoryClient client = new HistoryClient(cluster, history, timeout)) {
      for (int i = 0; !stop; i++) {
        String stream = streams.get((writer + i) % streams.size());
        int node = (writer + i / streams.size()) % ClusterOfThree.SIZE;
        client.append(stream, node, AppendHistory.MIN_LENGTH + rnd.nextInt(180));
        rest();
      }
    }
  }

  private void producer(int k) {
    Random rnd = new Random(k * 17L + 3);
    String stream = streams.get(k % streams.size());
    String id = "producer-" + history.newToken() + "-" + k;
    try (HistoryClient client = new HistoryClient(cluster, history, timeout)) {
      int node = k % ClusterOfThree.SIZE;
      for (long seq = 0; !stop; seq++) {
        String token = history.newToken();
        int length = AppendHistory.MIN_LENGTH + rnd.nextInt(180);
        while (!stop) {
          Attempt a = client.append(stream, node, token, length, id, seq);
          node = (node + 1) % ClusterOfThree.SIZE;
          if (a.outcome() == Outcome.ACKED || a.outcome() == Outcome.DUPLICATE) break;
          if (a.outcome() == Outcome.REJECTED) {
            problems.add("producer " + id + ": " + a);
            return;
          }
          producerStalls.incrementAndGet();
          rest();
        }
        rest();
      }
    }
  }

  private void prober() {
    try (HistoryClient client = new HistoryClient(cluster, history, Duration.ofSeconds(1))) {
      for (int i = 0; !stop; i++) {
        String stream = streams.get(i % streams.size());
        int node = (i / streams.size()) % ClusterOfThree.SIZE;
        for (int tries = 0; tries < ClusterOfThree.SIZE && (avoidMask.get() & (1 << node)) != 0; tries++) {
          node = (node + 1) % ClusterOfThree.SIZE;
        }
        client.append(stream, node, AppendHistory.MIN_LENGTH + 8);
        rest();
      }
    }
  }

  private void rest() {
    LockSupport.parkNanos(pause.toNanos());
  }

  /** Stops the clients and waits for them (each finishes at most its current request). */
  @Override
  public void close() {
    stop = true;
    long deadline = System.nanoTime() + timeout.toNanos() * 3 + TimeUnit.SECONDS.toNanos(10);
    for (Thread t : threads) {
      try {
        t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      if (t.isAlive()) throw new IllegalStateException(t.getName() + " did not stop");
    }
  }
}
