package dev.sluice.bench.scenario;

import dev.sluice.bench.http.Connection;
import dev.sluice.bench.http.EventLoop;
import dev.sluice.bench.http.HttpResponseParser;
import dev.sluice.bench.http.Target;
import dev.sluice.bench.metrics.LatencyRecorder;
import dev.sluice.bench.metrics.RequestStats;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntPredicate;

/**
 * Keeps C connections busy with one request each (closed loop) or sends requests on a fixed
 * schedule (open loop), up to an optional request count. Used for appends, producer appends,
 * stream creation and every scenario's setup.
 *
 * <p>Several targets (the nodes of a cluster): connection i goes to target {@code i mod T}, so the
 * connections are spread evenly; in the open loop, due requests go to the targets in turn (to the
 * next target with an idle connection when one has none), so each gets {@code rate / T}. Each
 * target's outcomes and latencies can also be recorded on their own ({@code perTarget}).
 *
 * <p>Open loop: request k is due at {@code t0 + k / rate}. Due requests go to idle connections; when
 * none is idle they wait, and their latency still counts from the due time, so a slow server cannot
 * hide its stalls by slowing the client down (no coordinated omission). A pacer thread wakes the
 * event loop at each due time (epoll timeouts only have millisecond resolution).
 *
 * <p>All state is confined to the event loop thread except the latches and the volatile counters
 * read by progress lines.
 */
final class RequestDriver implements Connection.Handler {

  /** Renders requests and learns their outcome. Loop thread. */
  interface Source {
    /** Request number {@code k}, to be sent on {@code c}; the buffer is written before the next call on {@code c}. */
    ByteBuffer render(Connection c, long k);

    /** As {@link #render(Connection, long)}, on a connection to target number {@code target}. */
    default ByteBuffer render(Connection c, int target, long k) {
      return render(c, k);
    }

    /** Short description of request k, sent on {@code c}, for error samples. */
    default String describe(Connection c, long k) {
      return describe(k);
    }

    /** Records carried by request k (throughput counts them). */
    default int units(long k) {
      return 1;
    }

    /** Body bytes of request k. */
    default int bodyBytes(long k) {
      return 0;
    }

    /** Request k finished: {@code status} is the HTTP status, or 0 if it failed without one. */
    default void completed(Connection c, long k, int status, HttpResponseParser response) {}

    /** Short description of request k for error samples. */
    default String describe(long k) {
      return "request " + k;
    }
  }

  private static final class Slot {
    final int target;
    boolean registered;
    long k = -1;
    long intendedNanos;

    Slot(int target) {
      this.target = target;
    }
  }

  /** Where one target's outcomes go besides the totals. */
  record PerTarget(RequestStats stats, LatencyRecorder latency) {}

  private final EventLoop loop;
  private final List<Target> targets;
  private final List<PerTarget> perTarget;
  private final int connections;
  private final long limit;
  private final double rate;
  private final Source source;
  private final IntPredicate okStatus;
  private final RequestStats stats;
  private final LatencyRecorder latency;
  private final long requestTimeoutNanos;
  private final String[] capture;
  /** Idle connections, per target. */
  private final List<ArrayDeque<Connection>> idle = new ArrayList<>();
  /** Open loop: the target the next due request goes to. */
  private int nextTarget;
  private final List<Connection> all = new ArrayList<>();
  private final CountDownLatch allDone = new CountDownLatch(1);
  private final Runnable ticker = this::sendDue;
  private volatile boolean stopping;
  private volatile long issued;
  private volatile int inFlight;
  private volatile long maxBacklog;
  private long finished;
  /** Open loop: request {@code k0 + i} is due at {@code t0 + i / rate}. */
  private long t0;
  private long k0;
  private volatile long pacerBase;
  private Thread pacer;

  RequestDriver(EventLoop loop, Target target, int connections, long limit, double rate, Source source,
                IntPredicate okStatus, RequestStats stats, LatencyRecorder latency, long requestTimeoutNanos,
                String... capture) {
    this(loop, List.of(target), List.of(), connections, limit, rate, source, okStatus, stats, latency,
        requestTimeoutNanos, capture);
  }

  /**
   * @param perTarget empty, or one entry per target recording that target's outcomes (in addition
   *                  to {@code stats} and {@code latency}, which get everything)
   */
  RequestDriver(EventLoop loop, List<Target> targets, List<PerTarget> perTarget, int connections, long limit,
                double rate, Source source, IntPredicate okStatus, RequestStats stats, LatencyRecorder latency,
                long requestTimeoutNanos, String... capture) {
    if (targets.isEmpty()) throw new IllegalArgumentException("no target");
    if (!perTarget.isEmpty() && perTarget.size() != targets.size()) {
      throw new IllegalArgumentException("perTarget must have one entry per target");
    }
    this.loop = loop;
    this.targets = List.copyOf(targets);
    this.perTarget = List.copyOf(perTarget);
    for (int t = 0; t < targets.size(); t++) idle.add(new ArrayDeque<>());
    this.connections = connections;
    this.limit = limit;
    this.rate = rate;
    this.source = source;
    this.okStatus = okStatus;
    this.stats = stats;
    this.latency = latency;
    this.requestTimeoutNanos = requestTimeoutNanos;
    this.capture = capture;
  }

  @Override
  public HttpResponseParser newParser() {
    return new HttpResponseParser(capture);
  }

  /** Opens the connections and starts sending. Any thread. */
  void start() {
    loop.execute(() -> {
      t0 = System.nanoTime();
      if (rate > 0) {
        loop.addTicker(ticker);
        startPacer();
      }
      for (int i = 0; i < connections; i++) {
        int t = i % targets.size();
        loop.connect(targets.get(t).address(), this, requestTimeoutNanos, new Slot(t));
      }
    });
  }

  /** Requests issued so far. */
  long issued() {
    return issued;
  }

  int inFlight() {
    return inFlight;
  }

  /** Largest number of due-but-unsent requests seen (open loop). */
  long maxBacklog() {
    return maxBacklog;
  }

  /**
   * Open loop, at the end of the measured phase: records every request that was due but never sent
   * with the latency it has reached by now, so an overloaded server cannot hide its backlog (the
   * latencies would otherwise only include the requests that got through). Returns how many.
   */
  long recordUnsentBacklog() throws Exception {
    if (rate <= 0) return 0;
    return loop.call(() -> {
      long now = System.nanoTime();
      long due = due(now);
      for (long k = issued; k < due; k++) latency.record(intended(k), now);
      return Math.max(0, due - issued);
    }, 10_000);
  }

  /** Waits until {@code limit} requests have finished; false on timeout. */
  boolean awaitDone(long timeoutMillis) throws InterruptedException {
    return allDone.await(timeoutMillis, TimeUnit.MILLISECONDS);
  }

  boolean isDone() {
    return allDone.getCount() == 0;
  }

  /**
   * Stops issuing, waits up to {@code timeoutMillis} for in-flight requests, closes everything and
   * returns how many requests were still unanswered (they count as timeouts).
   */
  int stop(long timeoutMillis) throws Exception {
    stopping = true;
    if (pacer != null) pacer.interrupt();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    while (inFlight > 0 && System.nanoTime() < deadline) LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
    return loop.call(() -> {
      loop.removeTicker(ticker);
      int hung = inFlight;
      for (ArrayDeque<Connection> q : idle) {
        for (Connection c : q) c.closeSilently();
        q.clear();
      }
      closeAll();
      return hung;
    }, 5000);
  }

  private void closeAll() {
    for (Connection c : all) {
      if (c.inFlight()) {
        Slot s = (Slot) c.attachment;
        String what = describe(c, s) + " still unanswered when the run ended";
        stats.timeout(what);
        if (!perTarget.isEmpty()) perTarget.get(s.target).stats().timeout(what);
      }
      c.closeSilently();
    }
    all.clear();
    inFlight = 0;
  }

  @Override
  public void onConnected(Connection c) {
    Slot s = (Slot) c.attachment;
    if (!s.registered) {
      s.registered = true;
      all.add(c);
    }
    next(c);
  }

  private String describe(Connection c, Slot s) {
    String d = source.describe(c, s.k);
    return targets.size() > 1 ? "via " + targets.get(s.target).hostHeader() + ": " + d : d;
  }

  @Override
  public void onResponse(Connection c, HttpResponseParser r) {
    long now = c.readNanos();
    Slot s = (Slot) c.attachment;
    inFlight--;
    int status = r.status();
    PerTarget pt = perTarget.isEmpty() ? null : perTarget.get(s.target);
    if (okStatus.test(status)) {
      latency.record(s.intendedNanos, now);
      int units = source.units(s.k);
      int bytes = source.bodyBytes(s.k);
      stats.success(status, units, bytes);
      if (pt != null) {
        pt.latency().record(s.intendedNanos, now);
        pt.stats().success(status, units, bytes);
      }
    } else {
      String what = describe(c, s) + ": " + oneLine(r.errorBody());
      stats.badStatus(status, what);
      if (pt != null) pt.stats().badStatus(status, what);
    }
    source.completed(c, s.k, status, r);
    s.k = -1;
    finishedOne();
    if (c.isOpen()) {
      next(c);
    } else {
      c.reconnect();
    }
  }

  @Override
  public void onClosed(Connection c, Throwable cause) {
    Slot s = (Slot) c.attachment;
    idle.get(s.target).remove(c);
    RequestStats ts = perTarget.isEmpty() ? null : perTarget.get(s.target).stats();
    if (s.k >= 0) {
      inFlight--;
      String what = describe(c, s) + ": " + (cause == null ? "closed" : cause.toString());
      if (cause instanceof TimeoutException) {
        stats.timeout(what);
        if (ts != null) ts.timeout(what);
      } else {
        stats.connectionError(what);
        if (ts != null) ts.connectionError(what);
      }
      source.completed(c, s.k, 0, null);
      s.k = -1;
      finishedOne();
    } else if (cause != null && !stopping) {
      String what = (targets.size() > 1 ? "via " + targets.get(s.target).hostHeader() + ": " : "") + "connect/idle: " + cause;
      stats.connectionError(what);
      if (ts != null) ts.connectionError(what);
    }
    if (stopping) return;
    // Back off a little so a dead server does not turn into a reconnect spin.
    loop.schedule(System.nanoTime() + (cause == null ? 0 : TimeUnit.MILLISECONDS.toNanos(100)), () -> {
      if (!stopping) c.reconnect();
    });
  }

  private void finishedOne() {
    finished++;
    if (finished >= limit) allDone.countDown();
  }

  private void next(Connection c) {
    ArrayDeque<Connection> myIdle = idle.get(((Slot) c.attachment).target);
    if (stopping || issued >= limit) {
      myIdle.add(c);
      return;
    }
    long intended;
    if (rate > 0) {
      long due = due(System.nanoTime());
      if (issued >= due) {
        myIdle.add(c);
        return;
      }
      intended = intended(issued);
    } else {
      intended = 0;
    }
    send(c, intended);
  }

  private void send(Connection c, long intended) {
    Slot s = (Slot) c.attachment;
    long k = issued;
    issued = k + 1;
    s.k = k;
    inFlight++;
    ByteBuffer req = source.render(c, s.target, k);
    c.send(req);
    s.intendedNanos = intended == 0 ? c.sentNanos() : intended;
  }

  /** Number of requests due by {@code now} (open loop). */
  private long due(long now) {
    return Math.min(limit, k0 + (long) ((now - t0) * rate / 1e9) + 1);
  }

  /** When request {@code k} is due (open loop). */
  private long intended(long k) {
    return t0 + (long) ((k - k0) * 1e9 / rate);
  }

  /**
   * Open loop, at the start of the measured phase: restarts the schedule now and drops the requests
   * the warm-up left unsent, so a server that was slow while cold (JIT, caches) does not carry that
   * backlog into the measurement. Returns how many were dropped.
   */
  long rebaseSchedule() throws Exception {
    if (rate <= 0) return 0;
    return loop.call(() -> {
      long now = System.nanoTime();
      long dropped = Math.max(0, due(now) - issued);
      t0 = now;
      k0 = issued;
      pacerBase = now;
      maxBacklog = 0;
      return dropped;
    }, 10_000);
  }

  private void sendDue() {
    if (stopping) return;
    long due = due(System.nanoTime());
    long backlog = due - issued;
    if (backlog > maxBacklog) maxBacklog = backlog;
    while (issued < due) {
      Connection c = pollIdle();
      if (c == null) return;
      if (!c.isConnected() || c.inFlight()) continue;
      send(c, intended(issued));
    }
  }

  /** An idle connection of the next target in turn that has one (open loop), or null. */
  private Connection pollIdle() {
    int n = idle.size();
    for (int i = 0; i < n; i++) {
      int t = (nextTarget + i) % n;
      Connection c = idle.get(t).poll();
      if (c != null) {
        nextTarget = (t + 1) % n;
        return c;
      }
    }
    return null;
  }

  private void startPacer() {
    pacerBase = t0;
    final double intervalNanos = 1e9 / rate;
    // Waking more often than every 50 µs buys no precision and costs CPU; batch instead.
    final long minStep = 50_000;
    pacer = new Thread(() -> {
      long base = pacerBase;
      long j = 1;
      while (!stopping) {
        if (pacerBase != base) { // the schedule was restarted at the start of the measured phase
          base = pacerBase;
          j = 1;
        }
        long at = base + (long) (j * intervalNanos);
        long now = System.nanoTime();
        if (at - now > 0) LockSupport.parkNanos(at - now);
        if (stopping) return;
        loop.wakeup();
        now = System.nanoTime();
        // Next wake: the next due time after now, at least minStep away.
        long next = Math.max(now + minStep, base + (long) ((j + 1) * intervalNanos));
        j = Math.max(j + 1, (long) Math.ceil((next - base) / intervalNanos));
      }
    }, "sluice-bench-pacer");
    pacer.setDaemon(true);
    pacer.start();
  }

  private static String oneLine(String s) {
    String t = s.replace('\n', ' ').replace('\r', ' ').trim();
    return t.length() > 200 ? t.substring(0, 200) + "..." : t;
  }
}
