package dev.sluice.persistence.replicated;

import dev.sluice.persistence.rocksdb.RocksDbReplicaStore;
import dev.sluice.persistence.store.JournalStore;
import dev.sluice.persistence.store.StorageException;
import dev.sluice.persistence.store.StreamKey;
import dev.sluice.persistence.store.StreamWrite;
import dev.sluice.persistence.store.WriteOp;
import dev.sluice.replication.node.ReplicationNode;
import dev.sluice.replication.node.WriterDriver;
import dev.sluice.replication.node.WriterDriver.AppendRejectedException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;

/**
 * INTERNAL API. One stream's writer on this node, from one open to its end: one {@link WriterDriver}
 * (one epoch), the stream's highest Pekko sequence number as this owner knows it, and the writes in
 * flight. {@link ReplicatedJournalStore} keeps at most one per stream and replaces it on every open.
 *
 * <pre>
 *   NEW --start()--> OPENING --driver serves + local replica caught up + local tail read--> SERVING
 *                       |                                                                     |
 *                       +---- open failed ----> FAILED <---- an append failed, or the driver closed
 *   retire(): no new writes; once those in flight settle, the driver stops (any phase)
 * </pre>
 *
 * <p><b>Why the continuity check is here, before the append.</b> A replica materializes a committed
 * entry exactly as the local journal writes it, and the journal refuses a write that does not continue
 * the stream's {@code highestEver}. A committed entry that failed that check would fail materialization
 * on every replica forever. So no entry may enter the log unless it continues the stream: this session
 * is the only writer (its epoch fences every other), it learnt {@code highestEver} from the materialized
 * log after fencing, and it raises it with every write it appends. A write that does not continue is
 * refused (not stored), as by the local journal, and the session goes on. This is also what makes an
 * implicit open safe: a stale entity (it missed another owner's events) writes a sequence number at or
 * below {@code highestEver} and is refused.
 *
 * <p>Writes append in submission order: queued while opening, then appended under the lock in order
 * (the driver's actor receives them in that order). A failed append fails the session: the writer
 * closed (rejected NOT_OWNER, or fenced / timed out: outcome unknown), so every later append of this
 * driver fails too, and the entity must recover (which opens a new session). Never acknowledged before
 * a quorum holds the entry AND this node has materialized it (which needs this node's fsync of it).
 *
 * <p>Thread-safe: state is guarded by {@code this}; futures are completed outside the lock.
 */
final class StreamSession {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(StreamSession.class);

  enum Phase { NEW, OPENING, SERVING, FAILED }

  /** A write waiting for the open, or in flight. */
  private record Pending(StreamWrite write, byte[] payload, CompletableFuture<Void> result) {}

  private final StreamKey key;
  private final ReplicationNode node;
  private final RocksDbReplicaStore replica;
  private final JournalStore local;
  private final ReplicatedJournalSettings settings;
  private final Executor io;
  private final Executor callbacks;
  /** Why this session opens the stream; logged with the writer's fence. */
  private final String reason;
  private final CompletableFuture<Long> ready = new CompletableFuture<>();

  private Phase phase = Phase.NEW;
  private boolean retired;
  private WriterDriver driver;
  private boolean driverStopped;
  private long highestEver;
  private Throwable failure;
  private final ArrayDeque<Pending> queued = new ArrayDeque<>();
  private int inFlight;
  private CompletableFuture<Void> drained;
  private long lastUsedNanos = System.nanoTime();

  StreamSession(StreamKey key, ReplicationNode node, RocksDbReplicaStore replica, JournalStore local,
                ReplicatedJournalSettings settings, Executor io, Executor callbacks, String reason) {
    this.key = key;
    this.reason = reason;
    this.node = node;
    this.replica = replica;
    this.local = local;
    this.settings = settings;
    this.io = io;
    this.callbacks = callbacks;
  }

  private String stream() {
    return key.persistenceId();
  }

  /**
   * Opens the stream: a new writer fences every earlier one, recovers and re-stamps; then this node's
   * replica materializes everything committed (replay and HTTP reads use the local columns), and the
   * local {@code highestEver} is the stream's. Idempotent.
   */
  void start() {
    WriterDriver d = null;
    StorageException superseded = null;
    synchronized (this) {
      if (phase != Phase.NEW) {
        return;
      }
      if (retired) {
        // A newer open replaced this one before it started: starting a writer now would only fence
        // the newer one (and nobody would stop it).
        phase = Phase.FAILED;
        superseded = new StorageException("the open of " + stream() + " was superseded by a newer one");
        failure = superseded;
      } else {
        phase = Phase.OPENING;
        d = node.openWriter(stream(), reason);
        driver = d;
      }
    }
    if (superseded != null) {
      ready.completeExceptionally(superseded);
      return;
    }
    // A writer that closes (fenced by a newer owner, or a quorum lost for an append-timeout) fails
    // the session at once, so later writes fail fast instead of queueing behind a dead writer.
    d.closed().thenRunAsync(() -> fail(new StorageException("the writer of " + stream() + " closed")), callbacks);
    d.opened()
        .thenCompose(open -> bounded(replica.whenMaterialized(stream(), open.tailSeq()), settings.catchUpTimeout(),
            "this node to materialize " + stream() + " up to entry " + open.tailSeq()))
        .thenComposeAsync(v -> local.highestSequenceNr(key), io)
        .whenCompleteAsync(this::opened, callbacks);
  }

  private void opened(Long highest, Throwable error) {
    List<Pending> refused = new ArrayList<>();
    Throwable failed;
    synchronized (this) {
      if (error != null) {
        failLocked(error);
      } else if (phase == Phase.OPENING) {
        phase = Phase.SERVING;
        highestEver = highest;
      }
      while (!queued.isEmpty()) {
        Pending p = queued.poll();
        if (phase == Phase.SERVING) {
          append(p);
        } else {
          refused.add(p);
        }
      }
      // Also a writer that closed between serving and here (fenced by a newer owner already).
      failed = phase == Phase.SERVING ? null : failure;
    }
    for (Pending p : refused) {
      settle(p, new NotStoredException("the writer of " + stream() + " failed to open", failed));
    }
    if (failed != null) {
      ready.completeExceptionally(storageFailure("cannot open " + stream(), failed));
    } else {
      ready.complete(highest);
    }
  }

  /** The stream's highest sequence number once open; fails if the open failed. */
  CompletionStage<Long> ready() {
    return ready;
  }

  /**
   * Appends {@code write} (a write of this stream), or returns {@code null} if this session was retired
   * (the caller then uses the stream's current session).
   */
  CompletableFuture<Void> submit(StreamWrite write) {
    byte[] payload = write.encode();
    Pending p = new Pending(write, payload, new CompletableFuture<>());
    Throwable failed;
    synchronized (this) {
      if (retired) {
        return null;
      }
      lastUsedNanos = System.nanoTime();
      failed = failure;
      if (failed == null) {
        inFlight++;
        if (phase == Phase.SERVING) {
          append(p);
        } else {
          queued.add(p);
        }
        return p.result();
      }
    }
    return CompletableFuture.failedFuture(new StorageException("the writer of " + stream()
        + " failed; the stream must be recovered (re-opened) before it is written again", failed));
  }

  /** Under the lock: the continuity check, then the append. */
  private void append(Pending p) {
    long highest = highestEver;
    for (WriteOp op : p.write().ops()) {
      if (op instanceof WriteOp.MetaAppended a) {
        if (a.firstSeq() <= highest) {
          // Refused before the log, and the session goes on, as the local journal does.
          NotStoredException refused = new NotStoredException("refusing to overwrite stored events of " + stream()
              + ": write of " + a.firstSeq() + ".." + a.lastSeq() + " does not continue its stored tail " + highest);
          callbacks.execute(() -> settle(p, refused));
          return;
        }
        highest = a.lastSeq();
      }
    }
    highestEver = highest;
    WriterDriver d = driver;
    d.append(p.payload())
        .thenCompose(offset -> bounded(replica.whenMaterialized(stream(), offset), settings.materializeTimeout(),
            "this node to materialize entry " + offset + " of " + stream()))
        .whenCompleteAsync((v, e) -> settle(p, e), callbacks);
  }

  private void settle(Pending p, Throwable error) {
    if (error != null && !(error instanceof NotStoredException)) {
      fail(error); // the writer closed or this node fell behind: the entity must recover
    }
    synchronized (this) {
      if (--inFlight == 0) {
        signalDrained();
      }
    }
    if (error == null) {
      p.result().complete(null);
    } else {
      Throwable cause = unwrap(error);
      p.result().completeExceptionally(cause instanceof NotStoredException n ? n
          : cause instanceof AppendRejectedException
          ? new NotStoredException("write of " + stream() + " rejected by its writer (no longer the owner)", cause)
          : storageFailure("write of " + stream() + " failed, outcome unknown", cause));
    }
  }

  private synchronized void fail(Throwable error) {
    failLocked(error);
  }

  private void failLocked(Throwable error) {
    if (failure == null) {
      failure = unwrap(error);
      if (!retired) {
        log.info("The writer session of {} failed ({}); the stream's entity recovers, which opens it again", stream(),
            failure.getMessage());
      }
    }
    if (phase != Phase.FAILED) {
      phase = Phase.FAILED;
      stopDriver();
    }
  }

  /**
   * No new writes; the driver stops once the writes in flight settled. The returned stage completes
   * then: a new owner's open must not race this session's last appends (read-your-writes).
   */
  CompletionStage<Void> retire() {
    CompletableFuture<Void> settled;
    synchronized (this) {
      retired = true;
      settled = drainedLocked();
    }
    return settled.thenRun(this::stopDriver);
  }

  /**
   * Retires this session if nothing was in flight or queued for {@code idle}; returns whether it did.
   * An opening session is left alone (its open is bounded by timeouts and then it fails or serves).
   */
  synchronized boolean retireIfIdle(long nowNanos, Duration idle) {
    if (retired || inFlight > 0 || phase == Phase.OPENING || nowNanos - lastUsedNanos < idle.toNanos()) {
      return false;
    }
    retired = true;
    stopDriver();
    return true;
  }

  private synchronized void stopDriver() {
    if (driver != null && !driverStopped) {
      driverStopped = true;
      driver.stop();
    }
  }

  synchronized Phase phase() {
    return phase;
  }

  private CompletableFuture<Void> drainedLocked() {
    if (inFlight == 0) {
      return CompletableFuture.completedFuture(null);
    }
    if (drained == null) {
      drained = new CompletableFuture<>();
    }
    return drained;
  }

  private void signalDrained() {
    if (inFlight == 0 && drained != null) {
      CompletableFuture<Void> d = drained;
      drained = null;
      // Completed on the callbacks executor: retire()'s continuation must not run under this lock.
      callbacks.execute(() -> d.complete(null));
    }
  }

  private static <T> CompletableFuture<T> bounded(CompletableFuture<T> f, Duration timeout, String what) {
    return f.orTimeout(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS).exceptionally(e -> {
      if (unwrap(e) instanceof TimeoutException) {
        throw new StorageException("timed out after " + timeout + " waiting for " + what);
      }
      throw e instanceof CompletionException c ? c : new CompletionException(e);
    });
  }

  private static StorageException storageFailure(String message, Throwable error) {
    Throwable cause = unwrap(error);
    return cause instanceof StorageException s && !(cause instanceof NotStoredException) ? s : new StorageException(message, cause);
  }

  private static Throwable unwrap(Throwable t) {
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
