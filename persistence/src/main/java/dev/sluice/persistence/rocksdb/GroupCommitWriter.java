package dev.sluice.persistence.rocksdb;

import dev.sluice.persistence.store.Column;
import dev.sluice.persistence.store.StreamWrite;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * INTERNAL API. The node's only RocksDB writer: one thread drains a queue of write requests, folds
 * everything that arrived while the previous batch was being synced into ONE {@code WriteBatch},
 * writes it with {@code sync = true}, and only then completes the requests' futures. One fsync
 * pays for every stream that wrote meanwhile; there is no timer: a lone write is synced at once, a
 * burst batches itself ({@code persistence/design-notes.md} §3; once replicated, this stays the
 * replica-side writer, §7).
 *
 * <p>Guarantees:
 * <ul>
 *   <li>A future completes successfully only after the batch holding its request was written and,
 *       with {@code sync} on, fsynced. A failed write fails every future in the batch: the WAL may
 *       or may not hold it, and the journal contract says an uncertain write must fail.
 *   <li>Requests are applied in submission order, so two writes of one persistenceId submitted in
 *       order are stored in order, and a request sees the effects of all earlier ones.
 *   <li>A request that fails while it is applied fails alone; the others in its batch are
 *       unaffected.
 * </ul>
 *
 * <p>Futures are completed on the writer thread: dependent stages must be cheap or use an
 * {@code *Async} variant with their own executor, or they stall every writer on the node.
 *
 * <p>Thread-safe: {@link #submit} may be called from any thread.
 */
final class GroupCommitWriter implements AutoCloseable {

  /**
   * A write that must first read committed state (e.g. which snapshots match a deletion's
   * criteria). Runs on the writer thread after everything queued before it was committed, and
   * returns the write as values; an exception fails only this request.
   */
  @FunctionalInterface
  interface IsolatedWrite {
    List<StreamWrite> compute(CommittedReader committed) throws Exception;
  }

  /** Reads committed state only, never the current batch; see {@link KeyRangeScan}. */
  @FunctionalInterface
  interface CommittedReader {
    void scan(Column cf, byte[] lower, byte[] upperExclusive, KeyRangeScan.Visitor visitor) throws RocksDBException;
  }

  static final class Request {
    private final List<StreamWrite> writes;
    private final IsolatedWrite isolated;
    private final long approxBytes;
    private final CompletableFuture<Void> future = new CompletableFuture<>();
    private Throwable failure;

    private Request(List<StreamWrite> writes, IsolatedWrite isolated, long approxBytes) {
      this.writes = writes;
      this.isolated = isolated;
      this.approxBytes = approxBytes;
    }

    boolean isIsolated() {
      return isolated != null;
    }

    /** What to apply: the values given, or those an isolated write computes from committed state. */
    List<StreamWrite> writes(CommittedReader committed) throws Exception {
      return isolated == null ? writes : isolated.compute(committed);
    }

    void fail(Throwable t) {
      failure = t;
    }
  }

  /** Streams whose committed meta the writer keeps in memory (count; ~200 bytes each). */
  static final int META_CACHE_ENTRIES = 65_536;

  private static final Request POISON = new Request(List.of(), null, 0);

  private final RocksDbHandle handle;
  private final WriteOptions writeOptions;
  /** Raised after every synced batch, before its acks; null when sync is off. */
  private final AckHighWaterMark ackMark;
  private final int maxBatchRequests;
  private final long maxBatchBytes;
  private final int maxPendingRequests;
  private final LinkedBlockingQueue<Request> queue = new LinkedBlockingQueue<>();
  private final AtomicInteger pending = new AtomicInteger();
  private final AtomicLong batches = new AtomicLong();
  private final AtomicLong requests = new AtomicLong();
  private final AtomicLong failedBatches = new AtomicLong();
  private final Thread thread;
  /** Committed meta of recent streams; writer thread only. */
  private final MetaCache metaCache = new MetaCache(META_CACHE_ENTRIES);
  private final AtomicBoolean closing = new AtomicBoolean();
  private volatile boolean closed;

  GroupCommitWriter(
      RocksDbHandle handle, boolean sync, AckHighWaterMark ackMark, int maxBatchRequests, long maxBatchBytes,
      int maxPendingRequests) {
    this.handle = handle;
    this.writeOptions = new WriteOptions().setSync(sync);
    this.ackMark = ackMark;
    this.maxBatchRequests = maxBatchRequests;
    this.maxBatchBytes = maxBatchBytes;
    this.maxPendingRequests = maxPendingRequests;
    this.thread = new Thread(this::run, "sluice-rocksdb-writer");
    // Durability never depends on an orderly exit: acked writes are already synced, and RocksDB's
    // WAL recovery drops a torn unacked tail. So the JVM need not wait for this thread.
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * Queues {@code writes} as one request: they are applied in order and stored all together or not
   * at all. The future completes once their batch is durable.
   */
  CompletableFuture<Void> submit(List<StreamWrite> writes) {
    List<StreamWrite> own = List.copyOf(writes);
    return enqueue(new Request(own, null, StreamWrite.encodedSize(own)));
  }

  /**
   * Queues a write that reads committed state first: everything queued before it is committed,
   * then {@code write} computes the values to apply. For rare operations only (it splits a batch).
   */
  CompletableFuture<Void> submitIsolated(IsolatedWrite write) {
    return enqueue(new Request(null, write, 0));
  }

  /** Completes once every request submitted before it is durable (or failed). Writes nothing. */
  CompletableFuture<Void> barrier() {
    return enqueue(new Request(List.of(), null, 0));
  }

  GroupCommitStats stats() {
    return new GroupCommitStats(batches.get(), requests.get(), failedBatches.get());
  }

  private CompletableFuture<Void> enqueue(Request r) {
    if (closed) {
      r.future.completeExceptionally(closedException());
      return r.future;
    }
    if (pending.incrementAndGet() > maxPendingRequests) {
      pending.decrementAndGet();
      r.future.completeExceptionally(new RocksDbStorageException(
          "write queue full (" + maxPendingRequests + " pending); storage cannot keep up"));
      return r.future;
    }
    queue.add(r);
    // close() may have drained the queue between our check and add: take the request back
    // ourselves. If remove fails, the writer or close() owns it and will complete it.
    if (closed && queue.remove(r)) {
      r.future.completeExceptionally(closedException());
    }
    return r.future;
  }

  private void run() {
    List<Request> drained = new ArrayList<>();
    boolean stop = false;
    while (!stop) {
      drained.add(takeUninterruptibly());
      long bytes = drained.get(0).approxBytes;
      Request next;
      while (drained.size() < maxBatchRequests && bytes < maxBatchBytes && (next = queue.poll()) != null) {
        drained.add(next);
        bytes += next.approxBytes;
      }
      int poison = drained.indexOf(POISON);
      if (poison >= 0) {
        stop = true;
        for (Request late : drained.subList(poison + 1, drained.size())) {
          late.future.completeExceptionally(closedException());
        }
        drained.subList(poison, drained.size()).clear();
      }
      pending.addAndGet(-drained.size());
      process(drained);
      drained.clear();
    }
  }

  private void process(List<Request> drained) {
    WriteContext ctx = new WriteContext(handle, metaCache);
    try {
      for (Request r : drained) {
        if (r.isIsolated() && !ctx.isEmpty()) {
          commit(ctx);
          ctx.close();
          ctx = new WriteContext(handle, metaCache);
        }
        ctx.apply(r);
      }
      commit(ctx);
    } catch (Throwable t) {
      // Last line of defence (e.g. OutOfMemoryError): never leave a future hanging, never die.
      metaCache.clear();
      for (Request r : drained) {
        r.future.completeExceptionally(t);
      }
    } finally {
      ctx.close();
    }
  }

  private void commit(WriteContext ctx) {
    if (ctx.isEmpty()) {
      return;
    }
    Throwable batchFailure = ctx.broken();
    if (batchFailure == null) {
      try {
        WriteBatch batch = ctx.sealedBatch();
        if (batch.count() > 0) {
          handle.db().write(writeOptions, batch);
          if (ackMark != null) {
            // After the WAL sync, before any ack: the mark never claims more than the WAL holds,
            // and everything acknowledged is covered by it.
            ackMark.advanceTo(handle.db().getLatestSequenceNumber());
          }
        }
      } catch (Throwable t) {
        // Failure story: an fsync error can leave the batch in the OS cache and even visible to
        // readers while not durable. Acking it would be a lie, so every request fails and its
        // entity recovers; RocksDB itself refuses further writes after such a background error.
        batchFailure = new RocksDbStorageException("group commit failed; outcome uncertain", t);
      }
    }
    batches.incrementAndGet();
    requests.addAndGet(ctx.members().size());
    if (batchFailure != null) {
      failedBatches.incrementAndGet();
      metaCache.clear();
    } else {
      metaCache.committed(ctx.batchMeta());
    }
    for (Request r : ctx.members()) {
      if (r.failure != null) {
        r.future.completeExceptionally(r.failure);
      } else if (batchFailure != null) {
        r.future.completeExceptionally(batchFailure);
      } else {
        r.future.complete(null);
      }
    }
  }

  private Request takeUninterruptibly() {
    while (true) {
      try {
        return queue.take();
      } catch (InterruptedException e) {
        // Only close() stops the writer (via POISON); an interrupt must not drop queued writes.
      }
    }
  }

  /**
   * Stops accepting requests, commits everything already queued, and waits for the writer thread to
   * finish. Idempotent.
   */
  @Override
  public void close() {
    if (!closing.compareAndSet(false, true)) {
      return;
    }
    closed = true;
    queue.add(POISON);
    boolean interrupted = false;
    while (thread.isAlive()) {
      try {
        thread.join();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    Request r;
    while ((r = queue.poll()) != null) {
      r.future.completeExceptionally(closedException());
    }
    writeOptions.close();
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private static RocksDbStorageException closedException() {
    return new RocksDbStorageException("RocksDB storage is closed");
  }
}
