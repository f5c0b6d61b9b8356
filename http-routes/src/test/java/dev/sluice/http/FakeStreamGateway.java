package dev.sluice.http;

import dev.sluice.actors.api.ReadChunk;
import dev.sluice.actors.api.StreamGateway;
import dev.sluice.actors.api.StreamReader;
import dev.sluice.actors.api.StreamRejectedException;
import dev.sluice.core.rules.StreamView;
import dev.sluice.core.Bytes;
import dev.sluice.core.error.ErrorCode;
import dev.sluice.core.error.Rejection;
import dev.sluice.core.model.StreamEvent;
import dev.sluice.core.model.StreamState;
import dev.sluice.core.protocol.ContentTypes;
import dev.sluice.core.rules.Commands;
import dev.sluice.core.rules.Decision;
import dev.sluice.core.rules.StreamRules;
import dev.sluice.core.spi.DataUnit;
import dev.sluice.core.spi.IndexedData;
import dev.sluice.core.spi.PurgesData;
import dev.sluice.core.spi.StreamDataStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.javadsl.Source;

/**
 * An in-memory {@link StreamGateway} for route tests: the real rules ({@link StreamRules}) over a
 * map of states, the real {@link StreamReader} over a map-backed store, and waiters for
 * long-poll/SSE. No expiry. Records what the routes sent, and can fail the next call.
 * Thread-safe (one lock).
 */
final class FakeStreamGateway implements StreamGateway {
  private final Map<String, StreamState> states = new HashMap<>();
  private final MemoryStore store = new MemoryStore();
  private final StreamReader reader = new StreamReader(store);
  private final Map<String, List<Waiter>> waiters = new HashMap<>();
  private final Map<String, CompletableFuture<Void>> waiterSignals = new ConcurrentHashMap<>();
  private final AtomicReference<Throwable> failNext = new AtomicReference<>();
  private long nextStoreId = 1;
  private long now = 1_700_000_000_000L;

  final List<Commands.Create> creates = new CopyOnWriteArrayList<>();
  final List<Commands.Append> appends = new CopyOnWriteArrayList<>();
  /** {@code path + ":" + touch} for every view call. */
  final List<String> views = new CopyOnWriteArrayList<>();

  private record Waiter(long fromPos, CompletableFuture<Optional<StreamView>> future) {}

  /** The next gateway call fails with {@code t}. */
  void failNext(Throwable t) {
    failNext.set(t);
  }

  /** Completes once a long-poll/SSE waiter is registered on {@code path} (so tests never sleep). */
  CompletableFuture<Void> waiterRegistered(String path) {
    return waiterSignals.computeIfAbsent(path, p -> new CompletableFuture<>());
  }

  private <T> CompletableFuture<T> injected() {
    Throwable t = failNext.getAndSet(null);
    return t == null ? null : CompletableFuture.failedFuture(t);
  }

  private StreamState state(String path) {
    return states.getOrDefault(path, StreamState.EMPTY);
  }

  private static <T> CompletableFuture<T> rejected(Rejection r) {
    return CompletableFuture.failedFuture(new StreamRejectedException(r));
  }

  @Override
  public synchronized CompletionStage<Commands.CreateResult> create(String path, Commands.Create cmd) {
    creates.add(cmd);
    CompletableFuture<Commands.CreateResult> inj = injected();
    if (inj != null) return inj;
    StreamState s = state(path);
    if (StreamRules.checkCreate(s, cmd) instanceof StreamRules.CreateCheck.Done done) return outcome(path, done.decision());
    Commands.ForkGrant grant = null;
    Bytes prefix = null;
    if (cmd.fork() != null) {
      String src = cmd.fork().sourcePath();
      Decision<Commands.ForkGrant> g = StreamRules.acquireFork(state(src), path, cmd.fork(), cmd.contentType());
      if (g instanceof Decision.Rejected<Commands.ForkGrant> r) return rejected(r.rejection());
      var acc = (Decision.Accepted<Commands.ForkGrant>) g;
      grant = acc.reply();
      if (cmd.fork().subOffset() > 0) {
        Optional<DataUnit> anchor = store.unitAt(grant.anchorStoreId(), grant.forkOffset().position());
        prefix = anchor.map(u -> StreamRules.subOffsetPrefix(u.data(), ContentTypes.isJson(acc.reply().contentType()),
            cmd.fork().subOffset())).orElse(null);
        if (prefix == null) return rejected(Rejection.of(ErrorCode.FORK_SUB_OFFSET_INVALID, "bad sub-offset"));
      }
      applyAll(src, acc.events());
    }
    return outcome(path, StreamRules.create(s, cmd, nextStoreId++, grant, prefix, now));
  }

  @Override
  public synchronized CompletionStage<Commands.AppendResult> append(String path, Commands.Append cmd) {
    appends.add(cmd);
    CompletableFuture<Commands.AppendResult> inj = injected();
    if (inj != null) return inj;
    return outcome(path, StreamRules.append(state(path), cmd, now));
  }

  @Override
  public synchronized CompletionStage<StreamView> view(String path, boolean touch) {
    views.add(path + ":" + touch);
    CompletableFuture<StreamView> inj = injected();
    if (inj != null) return inj;
    StreamState s = state(path);
    Rejection r = StreamRules.checkReadable(s);
    return r != null ? rejected(r) : CompletableFuture.completedFuture(viewOf(s));
  }

  @Override
  public synchronized CompletionStage<Done> delete(String path) {
    CompletableFuture<Done> inj = injected();
    if (inj != null) return inj;
    StreamState s = state(path);
    Rejection r = StreamRules.checkDelete(s);
    if (r != null) return rejected(r);
    var alive = new java.util.HashSet<String>();
    for (String f : s.forks()) if (state(f).exists()) alive.add(f);
    applyAll(path, StreamRules.delete(s, alive, now));
    return CompletableFuture.completedFuture(Done.getInstance());
  }

  @Override
  public CompletionStage<ReadChunk> read(StreamView view, long fromPos, int maxBytes) {
    CompletableFuture<ReadChunk> inj = injected();
    if (inj != null) return inj;
    return CompletableFuture.completedFuture(reader.read(view, fromPos, maxBytes));
  }

  @Override
  public synchronized CompletionStage<Optional<StreamView>> awaitBeyond(String path, long fromPos, Duration timeout) {
    StreamState s = state(path);
    Rejection r = StreamRules.checkReadable(s);
    if (r != null) return rejected(r);
    if (s.tail() > fromPos || s.closed()) return CompletableFuture.completedFuture(Optional.of(viewOf(s)));
    var f = new CompletableFuture<Optional<StreamView>>();
    waiters.computeIfAbsent(path, p -> new ArrayList<>()).add(new Waiter(fromPos, f));
    waiterRegistered(path).complete(null);
    return f.completeOnTimeout(Optional.empty(), timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Where a tail is: the same cursor shape as the sharded gateway's. */
  private record Cursor(StreamView view, long pos, boolean announced, boolean finished) {}

  @Override
  public Source<ReadChunk, NotUsed> tail(
      String path, StreamView initial, long fromPos, Duration idleTimeout, Duration maxDuration, int maxChunkBytes) {
    var start = new Cursor(initial, Math.min(fromPos, initial.tail()), false, false);
    return Source.unfoldAsync(start, (Cursor c) -> {
      if (c.finished()) return CompletableFuture.completedFuture(Optional.<Pair<Cursor, ReadChunk>>empty());
      if (c.pos() < c.view().tail() || c.view().info().closed() || !c.announced()) {
        var chunk = reader.read(c.view(), c.pos(), c.pos() < c.view().tail() ? maxChunkBytes : 0);
        return CompletableFuture.completedFuture(Optional.of(step(c.view(), chunk)));
      }
      return awaitBeyond(path, c.pos(), idleTimeout).thenApply(v -> {
        if (v.isEmpty()) return Optional.of(Pair.create(c, reader.read(c.view(), c.pos(), 0)));
        return Optional.of(step(v.get(), reader.read(v.get(), c.pos(), maxChunkBytes)));
      });
    }).takeWithin(maxDuration);
  }

  private static Pair<Cursor, ReadChunk> step(StreamView view, ReadChunk chunk) {
    return Pair.create(new Cursor(view, chunk.next().position(), chunk.upToDate(), chunk.closedAtEnd()), chunk);
  }

  // ---------------------------------------------------------------- state changes

  private <R> CompletableFuture<R> outcome(String path, Decision<R> d) {
    if (d instanceof Decision.Rejected<R> r) return rejected(r.rejection());
    var acc = (Decision.Accepted<R>) d;
    applyAll(path, acc.events());
    return CompletableFuture.completedFuture(acc.reply());
  }

  private void applyAll(String path, List<StreamEvent> events) {
    StreamState before = state(path);
    StreamState s = before;
    for (StreamEvent e : events) {
      if (e instanceof IndexedData d) store.put(d.storeId(), d.position(), d.data());
      if (e instanceof PurgesData p) store.purge(p.purgedStoreId());
      s = s.apply(e);
    }
    states.put(path, s);
    if (!s.exists() && before.exists() && before.fork() != null) {
      // Cascading release of the source's pin (checklist §7 "Cascading GC").
      String src = before.fork().sourcePath();
      applyAll(src, StreamRules.releaseFork(state(src), path));
    }
    wake(path, s);
  }

  private void wake(String path, StreamState s) {
    List<Waiter> ws = waiters.get(path);
    if (ws == null) return;
    for (var it = ws.iterator(); it.hasNext(); ) {
      Waiter w = it.next();
      if (w.future().isDone()) {
        it.remove();
      } else if (!s.exists()) {
        w.future().completeExceptionally(new StreamRejectedException(Rejection.of(ErrorCode.STREAM_NOT_FOUND, "deleted")));
        it.remove();
      } else if (s.tail() > w.fromPos() || s.closed()) {
        w.future().complete(Optional.of(viewOf(s)));
        it.remove();
      }
    }
  }

  private static StreamView viewOf(StreamState s) {
    return new StreamView(StreamRules.info(s), s.storeId(), s.readPath());
  }

  /** {@link StreamDataStore} over sorted maps, honouring its "at least one unit" contract. */
  private static final class MemoryStore implements StreamDataStore {
    private final Map<Long, TreeMap<Long, Bytes>> data = new ConcurrentHashMap<>();

    synchronized void put(long storeId, long position, Bytes bytes) {
      data.computeIfAbsent(storeId, k -> new TreeMap<>()).put(position, bytes);
    }

    synchronized void purge(long storeId) {
      data.remove(storeId);
    }

    @Override
    public synchronized List<DataUnit> read(long storeId, long fromPos, long toPos, int maxBytes) {
      var out = new ArrayList<DataUnit>();
      TreeMap<Long, Bytes> units = data.get(storeId);
      if (units == null || fromPos >= toPos) return out;
      long budget = maxBytes;
      for (var e : units.subMap(fromPos, true, toPos, false).entrySet()) {
        if (!out.isEmpty() && budget <= 0) break;
        out.add(new DataUnit(e.getKey(), e.getValue()));
        budget -= e.getValue().length();
      }
      return out;
    }

    @Override
    public synchronized Optional<DataUnit> unitAt(long storeId, long position) {
      TreeMap<Long, Bytes> units = data.get(storeId);
      Bytes b = units == null ? null : units.get(position);
      return b == null ? Optional.empty() : Optional.of(new DataUnit(position, b));
    }
  }
}
