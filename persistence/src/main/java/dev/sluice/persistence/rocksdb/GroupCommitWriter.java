package dev.sluice.persistence.rocksdb;

import dev.sluice.persistence.store.Column;
import dev.sluice.persistence.store.KeyLayout;
import dev.sluice.persistence.store.StreamKey;
import dev.sluice.persistence.store.StreamWrite;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.rocksdb.RocksDBException;
import org.rocksdb.Status;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 *   <li>No batch is written that would leave less than {@code min-free-space} (plus what the
 *       memtables need when flushed) on the data volume: it fails with
 *       {@link dev.sluice.core.spi.StorageFullException} and stores nothing. Then, and after RocksDB
 *       refuses a write, the {@link WriteGate} closes: writes fail at submission, without queueing,
 *       and the writer probes every {@code recovery-probe-interval} until a write can succeed
 *       again (free space, then a synced probe write, reopening RocksDB if its error is sticky).
 *       Barriers still complete, so recoveries and reads go on.
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

  /**
   * A write computed on the writer thread against the batch so far, without splitting it (unlike an
   * {@link IsolatedWrite}): it reads raw keys with read-your-writes and applies stream writes
   * through {@link WriteContext.Staging}. The replica store's persist is one: it must see the entries
   * and replica meta of earlier persists of its stream in the same batch, and it shares that batch's
   * fsync with everything else. An exception fails only this request, and undoes its changes.
   */
  @FunctionalInterface
  interface StagedWrite {
    void applyTo(WriteContext.Staging batch) throws Exception;
  }

  /** Reads committed state only, never the current batch; see {@link KeyRangeScan}. */
  @FunctionalInterface
  interface CommittedReader {
    void scan(Column cf, byte[] lower, byte[] upperExclusive, KeyRangeScan.Visitor visitor) throws RocksDBException;
  }

  private static final Logger log = LoggerFactory.getLogger(GroupCommitWriter.class);

  static final class Request {
    private final List<StreamWrite> writes;
    private final IsolatedWrite isolated;
    private final StagedWrite staged;
    private final long approxBytes;
    /** The streams this request writes ({@link PendingStreams}); null when unknown up front. */
    private final Set<StreamKey> streams;
    private final CompletableFuture<Void> future = new CompletableFuture<>();
    private Throwable failure;
    /** Its future was completed and it left {@link #pendingStreams}; writer thread, or the submitter before queueing. */
    private boolean settled;
    /** False: may complete once written, before an fsync ({@link #submitStaged(StagedWrite, long, boolean)}). */
    private final boolean sync;

    private Request(List<StreamWrite> writes, IsolatedWrite isolated, StagedWrite staged, long approxBytes,
                    Set<StreamKey> streams) {
      this(writes, isolated, staged, approxBytes, streams, true);
    }

    private Request(List<StreamWrite> writes, IsolatedWrite isolated, StagedWrite staged, long approxBytes,
                    Set<StreamKey> streams, boolean sync) {
      this.sync = sync;
      this.writes = writes;
      this.isolated = isolated;
      this.staged = staged;
      this.approxBytes = approxBytes;
      this.streams = streams;
    }

    boolean isIsolated() {
      return isolated != null;
    }

    /** Null unless this request is a {@link StagedWrite}. */
    StagedWrite staged() {
      return staged;
    }

    /** A barrier writes nothing; it only waits for what was queued before it. */
    boolean isBarrier() {
      return isolated == null && staged == null && writes.isEmpty();
    }

    /** What to apply: the values given, or those an isolated write computes from committed state. */
    List<StreamWrite> writes(CommittedReader committed) throws Exception {
      return isolated == null ? writes : isolated.compute(committed);
    }

    void fail(Throwable t) {
      failure = t;
    }
  }

  /**
   * Streams whose committed meta the writer keeps in memory (count; ~190 bytes each with its key).
   * Enough for every stream that writes within a few group commits of each other; a miss is one
   * point read. 65,536 entries held 12 MB, most of it streams created once and never written again
   * (the streams bench), which counted against the per-stream heap budget (README "Sizing the heap").
   */
  static final int META_CACHE_ENTRIES = 8_192;

  private static final Request POISON = new Request(List.of(), null, null, 0, Set.of());

  private final RocksDbHandle handle;
  private final WriteOptions writeOptions;
  /** For batches whose requests all allow completing before an fsync. */
  private final WriteOptions unsyncedWriteOptions = new WriteOptions().setSync(false);
  /** Whether the WAL holds writes no fsync covered yet; writer thread only. */
  private boolean unsynced;
  /** Raised after every synced batch, before its acks; null when sync is off. */
  private final AckHighWaterMark ackMark;
  private final int maxBatchRequests;
  private final long maxBatchBytes;
  private final int maxPendingRequests;
  private final long minFreeSpace;
  private final long probeIntervalNanos;
  private final WriteGate gate = new WriteGate();
  private long nextProbeNanos;
  private final LinkedBlockingQueue<Request> queue = new LinkedBlockingQueue<>();
  private final AtomicInteger pending = new AtomicInteger();
  private final AtomicLong batches = new AtomicLong();
  private final AtomicLong requests = new AtomicLong();
  private final AtomicLong failedBatches = new AtomicLong();
  private volatile GroupCommitListener listener = GroupCommitListener.NONE;
  private final Thread thread;
  /** Committed meta of recent streams; writer thread only. */
  private final MetaCache metaCache = new MetaCache(META_CACHE_ENTRIES);
  /** Streams with queued, unsettled writes: reads of any other stream need no {@link #barrier()}. */
  private final PendingStreams pendingStreams = new PendingStreams();
  private final AtomicBoolean closing = new AtomicBoolean();
  private volatile boolean closed;

  GroupCommitWriter(RocksDbHandle handle, RocksDbSettings settings, AckHighWaterMark ackMark) {
    this.handle = handle;
    this.writeOptions = new WriteOptions().setSync(settings.sync());
    this.ackMark = ackMark;
    this.maxBatchRequests = settings.maxBatchRequests();
    this.maxBatchBytes = settings.maxBatchBytes();
    this.maxPendingRequests = settings.maxPendingRequests();
    this.minFreeSpace = settings.minFreeSpace();
    this.probeIntervalNanos = settings.recoveryProbeInterval().toNanos();
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
    Set<StreamKey> streams = own.size() == 1 ? Set.of(own.get(0).stream()) : new HashSet<>();
    if (own.size() != 1) {
      for (StreamWrite w : own) {
        streams.add(w.stream());
      }
    }
    return enqueue(new Request(own, null, null, StreamWrite.encodedSize(own), streams));
  }

  /**
   * Queues a write that reads committed state first: everything queued before it is committed,
   * then {@code write} computes the values to apply. For rare operations only (it splits a batch).
   */
  CompletableFuture<Void> submitIsolated(IsolatedWrite write) {
    return enqueue(new Request(null, write, null, 0, null));
  }

  /** {@link #submitIsolated(IsolatedWrite)} for a write that changes {@code stream} only. */
  CompletableFuture<Void> submitIsolated(StreamKey stream, IsolatedWrite write) {
    return enqueue(new Request(null, write, null, 0, Set.of(stream)));
  }

  /**
   * Queues a write that is computed on the writer thread against the batch so far, sharing the
   * batch ({@link StagedWrite}); {@code approxBytes} counts toward the batch size limit. The future
   * completes once its batch is durable.
   */
  CompletableFuture<Void> submitStaged(StagedWrite write, long approxBytes) {
    return enqueue(new Request(List.of(), null, write, approxBytes, null));
  }

  /**
   * As {@link #submitStaged(StagedWrite, long)}; with {@code sync} false the future may complete once
   * the batch is written to RocksDB (WAL in the OS cache: it survives a killed process, not a power
   * loss) and readable, before any fsync. A batch is written unsynced only when ALL its requests allow
   * it; the next synced batch, or {@link #barrier()}, makes it durable (one WAL, written in order).
   */
  CompletableFuture<Void> submitStaged(StagedWrite write, long approxBytes, boolean sync) {
    return enqueue(new Request(List.of(), null, write, approxBytes, null, sync));
  }

  /** Completes once every request submitted before it is durable (or failed). Writes nothing. */
  CompletableFuture<Void> barrier() {
    return enqueue(new Request(List.of(), null, null, 0, Set.of()));
  }

  /**
   * Completes once every request submitted before it that writes {@code stream} is durable (or
   * failed): at once when none is queued, so a read of a quiet or brand-new stream does not wait
   * for other streams' fsyncs. Read-your-writes for that one stream.
   */
  CompletableFuture<Void> barrier(StreamKey stream) {
    return pendingStreams.isPending(stream) ? barrier() : CompletableFuture.completedFuture(null);
  }

  /** Why writes would fail now, if the writer knows they would (storage full or failed). */
  Optional<RuntimeException> writeBlocker() {
    return gate.blocker();
  }

  /** Streams with queued, unsettled writes (for tests). */
  int pendingStreams() {
    return pendingStreams.size();
  }

  GroupCommitStats stats() {
    return new GroupCommitStats(batches.get(), requests.get(), failedBatches.get());
  }

  void listener(GroupCommitListener l) {
    listener = l == null ? GroupCommitListener.NONE : l;
  }

  private CompletableFuture<Void> enqueue(Request r) {
    if (closed) {
      r.future.completeExceptionally(closedException());
      return r.future;
    }
    RuntimeException blocked = r.isBarrier() ? null : gate.blocker().orElse(null);
    if (blocked != null) {
      // Fail fast: nothing is queued, so nothing is stored, and the caller learns why at once.
      r.future.completeExceptionally(blocked);
      return r.future;
    }
    if (pending.incrementAndGet() > maxPendingRequests) {
      pending.decrementAndGet();
      r.future.completeExceptionally(new RocksDbStorageException(
          "write queue full (" + maxPendingRequests + " pending); storage cannot keep up"));
      return r.future;
    }
    // Counted before it is queued, so a read after this call returns waits for it.
    pendingStreams.add(r.streams);
    queue.add(r);
    // close() may have drained the queue between our check and add: take the request back
    // ourselves. If remove fails, the writer or close() owns it and will complete it.
    if (closed && queue.remove(r)) {
      settle(r, closedException());
    }
    return r.future;
  }

  /**
   * Completes a queued request's future, once: after it stops counting as pending, so a stage
   * that depends on the future and then reads sees the write without a barrier.
   */
  private void settle(Request r, Throwable failure) {
    if (r.settled) {
      return;
    }
    r.settled = true;
    pendingStreams.remove(r.streams);
    if (failure != null) {
      r.future.completeExceptionally(failure);
    } else {
      r.future.complete(null);
    }
  }

  private void run() {
    List<Request> drained = new ArrayList<>();
    boolean stop = false;
    while (!stop) {
      Request first = takeUninterruptibly();
      if (!gate.isOpen() && System.nanoTime() - nextProbeNanos >= 0) {
        try {
          probe();
        } catch (RuntimeException e) {
          // Never let a probe kill the node's only writer; the gate stays closed, the next probe retries.
          log.error("Storage recovery probe failed", e);
        }
      }
      if (first == null) {
        continue;
      }
      drained.add(first);
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
          settle(late, closedException());
        }
        drained.subList(poison, drained.size()).clear();
      }
      pending.addAndGet(-drained.size());
      process(drained);
      drained.clear();
    }
    if (unsynced) {
      // An orderly stop leaves nothing to a power loss.
      try {
        handle.db().syncWal();
        synced();
      } catch (RocksDBException | RuntimeException e) {
        log.warn("Could not sync the WAL at close; writes completed without an fsync stay as durable as the OS cache", e);
      }
    }
  }

  private void process(List<Request> drained) {
    boolean sync = false;
    for (Request r : drained) {
      sync |= r.sync;
    }
    WriteContext ctx = new WriteContext(handle, metaCache);
    try {
      for (Request r : drained) {
        if (r.isIsolated() && !ctx.isEmpty()) {
          commit(ctx, sync);
          ctx.close();
          ctx = new WriteContext(handle, metaCache);
        }
        ctx.apply(r);
      }
      commit(ctx, sync);
    } catch (Throwable t) {
      // Last line of defence (e.g. OutOfMemoryError): never leave a future hanging, never die.
      metaCache.clear();
      for (Request r : drained) {
        settle(r, t);
      }
    } finally {
      ctx.close();
    }
  }

  private void commit(WriteContext ctx, boolean sync) {
    if (ctx.isEmpty()) {
      return;
    }
    Throwable batchFailure = ctx.broken();
    long bytes = 0;
    long writeNanos = -1;
    if (batchFailure == null) {
      try {
        WriteBatch batch = ctx.sealedBatch();
        if (batch.count() > 0 && (batchFailure = refuseIfNoRoom(batch.getDataSize())) == null) {
          bytes = batch.getDataSize();
          long start = System.nanoTime();
          handle.db().write(sync ? writeOptions : unsyncedWriteOptions, batch);
          writeNanos = System.nanoTime() - start;
          if (sync) {
            synced();
          } else {
            unsynced = true;
          }
        } else if (batchFailure == null && sync && unsynced) {
          // Only barriers (or nothing) here, behind unsynced writes: a barrier promises durability.
          handle.db().syncWal();
          synced();
        }
      } catch (Throwable t) {
        // Failure story: an fsync error can leave the batch in the OS cache and even visible to
        // readers while not durable. Acking it would be a lie, so every request fails and its
        // entity recovers; RocksDB itself refuses further writes after such a background error,
        // so the gate closes until a probe write succeeds.
        batchFailure = new RocksDbStorageException("group commit failed; outcome uncertain", t);
        rocksDbRefused(t);
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
    try {
      listener.committed(ctx.members().size(), bytes, writeNanos, batchFailure != null);
    } catch (RuntimeException e) {
      log.warn("group-commit listener failed; ignored", e); // metrics must never fail a write
    }
    for (Request r : ctx.members()) {
      settle(r, r.failure != null ? r.failure : batchFailure);
    }
  }

  /** The WAL was just synced: everything written so far is durable. */
  private void synced() throws RocksDBException {
    unsynced = false;
    if (ackMark != null) {
      // After the WAL sync, before any ack: the mark never claims more than the WAL holds,
      // and everything acknowledged is covered by it. Never after an unsynced write, whose data a
      // power loss may take back.
      ackMark.advanceTo(handle.db().getLatestSequenceNumber());
    }
  }

  /**
   * The next request; while the gate is closed, null once the next probe is due, so the writer
   * probes even when nothing is submitted (everything but barriers fails at submission then).
   */
  private Request takeUninterruptibly() {
    while (true) {
      try {
        if (gate.isOpen()) {
          return queue.take();
        }
        long wait = nextProbeNanos - System.nanoTime();
        return wait <= 0 ? queue.poll() : queue.poll(wait, TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        // Only close() stops the writer (via POISON); an interrupt must not drop queued writes.
      }
    }
  }

  // ------------------------------------------------------------------ full or failed storage

  /**
   * Null if a batch of {@code bytes} may be written; else the failure for its requests (nothing
   * written, so certainly not stored), and the gate closes. It needs room twice: in the
   * write-ahead log now, and in an SST file when its memtable is flushed; and the memtables'
   * current contents need theirs too.
   */
  private Throwable refuseIfNoRoom(long bytes) {
    String full = lackOfRoom(2 * bytes);
    if (full == null) {
      return null;
    }
    gate.closeFull(full, false);
    scheduleProbe();
    log.warn("Storage full, refusing writes until space is freed: {}", full);
    return gate.blocker().orElseThrow();
  }

  /** Why {@code bytes} more would eat into the free-space reserve, or null if they would not. */
  private String lackOfRoom(long bytes) {
    if (minFreeSpace == 0) {
      return null;
    }
    long usable;
    long memtables;
    try {
      usable = handle.usableBytes();
      memtables = handle.db().getAggregatedLongProperty("rocksdb.cur-size-all-mem-tables");
    } catch (IOException | RocksDBException | RuntimeException e) {
      return null; // cannot tell (or RocksDB is being reopened); a real lack of space shows up as RocksDB's error
    }
    if (usable - memtables - bytes >= minFreeSpace) {
      return null;
    }
    return "no space for writes: " + mib(usable) + " MiB free on the data volume of " + handle.settings().dir().toAbsolutePath()
        + ", of which " + mib(minFreeSpace) + " MiB are kept free for the storage's own work (min-free-space) and "
        + mib(memtables) + " MiB are needed to flush what is in memory; nothing was stored. Free space on that"
        + " volume: writes resume by themselves within " + TimeUnit.NANOSECONDS.toMillis(probeIntervalNanos)
        + " ms of there being enough; reads are unaffected";
  }

  /** RocksDB refused a write: close the gate; a probe write must prove it works again. */
  private void rocksDbRefused(Throwable t) {
    RocksDBException e = t instanceof RocksDBException r ? r : null;
    Status status = e == null ? null : e.getStatus();
    if (status != null && status.getSubCode() == Status.SubCode.NoSpace) {
      gate.closeFull("no space for writes: RocksDB ran out of space on the data volume of "
          + handle.settings().dir().toAbsolutePath() + " (" + t.getMessage() + "). Free space on that volume;"
          + " writes resume by themselves once they can succeed; reads are unaffected", true);
    } else {
      gate.closeFailed("storage failed (" + t.getMessage() + "); it retries by itself every "
          + TimeUnit.NANOSECONDS.toMillis(probeIntervalNanos) + " ms, reopening RocksDB if needed", t);
    }
    scheduleProbe();
    log.error("RocksDB refused a write; refusing writes until a probe write succeeds", t);
  }

  private void scheduleProbe() {
    nextProbeNanos = System.nanoTime() + probeIntervalNanos;
  }

  /**
   * While the gate is closed: can writes succeed again? Enough free space first; then, if RocksDB
   * itself failed, a small synced write, and if that fails too, a reopen of RocksDB (its one way
   * out of a sticky background error) and the probe write again. Opens the gate on success.
   */
  private void probe() {
    scheduleProbe();
    String full = lackOfRoom(0);
    if (full != null) {
      gate.closeFull(full, false);
      return;
    }
    if (gate.rocksDbError()) {
      try {
        probeWrite();
      } catch (RuntimeException | RocksDBException first) {
        try {
          handle.reopen();
          metaCache.clear();
          probeWrite();
          log.info("Reopened RocksDB after a background error ({})", first.getMessage());
        } catch (RuntimeException | RocksDBException e) {
          if (e instanceof RocksDBException r && r.getStatus() != null
              && r.getStatus().getSubCode() == Status.SubCode.NoSpace) {
            gate.closeFull("no space for writes: " + e.getMessage() + "; reads are unaffected", true);
          } else {
            gate.closeFailed("storage failed and has not recovered yet (" + e.getMessage() + "); it retries every "
                + TimeUnit.NANOSECONDS.toMillis(probeIntervalNanos) + " ms", e);
          }
          log.debug("Storage still failing", e);
          return;
        }
      }
    }
    long closedNanos = gate.open();
    log.info("Storage accepts writes again after {} ms", TimeUnit.NANOSECONDS.toMillis(closedNanos));
  }

  /** A tiny synced write of its own key: succeeds only if RocksDB accepts and syncs writes again. */
  private void probeWrite() throws RocksDBException {
    try (WriteBatch batch = new WriteBatch()) {
      batch.put(handle.column(Column.DEFAULT), KeyLayout.NODE_WRITE_PROBE,
          ByteBuffer.allocate(8).putLong(System.currentTimeMillis()).array());
      handle.db().write(writeOptions, batch);
    }
    synced();
  }

  private static long mib(long bytes) {
    return bytes >> 20;
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
      settle(r, closedException());
    }
    writeOptions.close();
    unsyncedWriteOptions.close();
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private static RocksDbStorageException closedException() {
    return new RocksDbStorageException("RocksDB storage is closed");
  }
}
