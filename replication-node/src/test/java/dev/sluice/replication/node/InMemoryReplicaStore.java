package dev.sluice.replication.node;

import dev.sluice.replication.Effect;
import dev.sluice.replication.Entry;
import dev.sluice.replication.InMemoryReplicaLog;
import dev.sluice.replication.LogChange;
import dev.sluice.replication.Payload;
import dev.sluice.replication.ReplicaLog;
import dev.sluice.replication.ReplicaState;
import dev.sluice.replication.ReplicaStore;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link ReplicaStore} in memory, honouring the port's contract: reads show only landed persists,
 * {@link #log} is a live view (as RocksDB's would be), persists complete on another thread in the order
 * they were made (one "disk"), and materialization writes committed payloads by position. Faults for
 * tests: a persist delay (all streams, or one) and failing the next N persists (nothing written).
 * It also checks the driver's side of the contract: never two persists of one stream at once.
 *
 * <p>Thread-safe (one lock).
 */
final class InMemoryReplicaStore implements ReplicaStore {
  private final int replica;
  private final String diskUuid;
  private final Map<String, ReplicaState> metas = new HashMap<>();
  private final Map<String, InMemoryReplicaLog> logs = new HashMap<>();
  private final Map<String, TreeMap<Long, Payload>> readable = new HashMap<>();
  private final Set<String> persisting = new HashSet<>();
  private final Map<String, Long> streamDelay = new HashMap<>();
  private final ScheduledExecutorService disk;
  private final AtomicInteger failNext = new AtomicInteger();
  private volatile long delayMillis;
  private volatile String contractViolation;
  private long persists;

  InMemoryReplicaStore(int replica) {
    this.replica = replica;
    this.diskUuid = "disk-" + replica;
    this.disk = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "store-" + replica);
      t.setDaemon(true);
      return t;
    });
  }

  @Override
  public int replica() {
    return replica;
  }

  @Override
  public String diskUuid() {
    return diskUuid;
  }

  @Override
  public boolean diskReplaced() {
    return false;
  }

  @Override
  public synchronized ReplicaState meta(String stream) {
    return metas.get(stream);
  }

  @Override
  public ReplicaLog log(String stream) {
    return new ReplicaLog() {
      @Override
      public long tailSeq() {
        synchronized (InMemoryReplicaStore.this) {
          return logOf(stream).tailSeq();
        }
      }

      @Override
      public long epochAt(long seq) {
        synchronized (InMemoryReplicaStore.this) {
          return logOf(stream).epochAt(seq);
        }
      }

      @Override
      public List<Entry> entries(long fromSeq, int max, long maxBytes) {
        synchronized (InMemoryReplicaStore.this) {
          return List.copyOf(logOf(stream).entries(fromSeq, max, maxBytes));
        }
      }
    };
  }

  @Override
  public CompletionStage<Void> persist(String stream, ReplicaState meta, LogChange change, Effect.Committed materialize) {
    long delay;
    synchronized (this) {
      if (!persisting.add(stream)) contractViolation = "two concurrent persists of " + stream;
      persists++;
      delay = streamDelay.getOrDefault(stream, delayMillis);
    }
    boolean fail = failNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
    CompletableFuture<Void> done = new CompletableFuture<>();
    disk.schedule(() -> {
      synchronized (this) {
        persisting.remove(stream);
        if (!fail) {
          logOf(stream).apply(change);
          metas.put(stream, meta);
          if (materialize != null) {
            TreeMap<Long, Payload> r = readable.computeIfAbsent(stream, s -> new TreeMap<>());
            long n = materialize.upToSeq() - materialize.afterSeq();
            for (Entry e : logOf(stream).entries(materialize.afterSeq(), (int) n, Long.MAX_VALUE)) r.put(e.seq(), e.payload());
          }
        }
      }
      if (fail) done.completeExceptionally(new IllegalStateException("injected persist failure"));
      else done.complete(null);
    }, delay, TimeUnit.MILLISECONDS);
    return done;
  }

  private InMemoryReplicaLog logOf(String stream) {
    return logs.computeIfAbsent(stream, s -> new InMemoryReplicaLog());
  }

  // ------------------------------------------------------------------ test controls and views

  void delay(long millis) {
    delayMillis = millis;
  }

  synchronized void delay(String stream, long millis) {
    streamDelay.put(stream, millis);
  }

  void failNext(int n) {
    failNext.set(n);
  }

  synchronized List<Entry> entries(String stream) {
    return logOf(stream).all();
  }

  /** Materialized (committed, readable) payloads by position. */
  synchronized Map<Long, Payload> readable(String stream) {
    return new TreeMap<>(readable.getOrDefault(stream, new TreeMap<>()));
  }

  synchronized long persists() {
    return persists;
  }

  String contractViolation() {
    return contractViolation;
  }

  void close() {
    disk.shutdownNow();
  }
}
