package dev.sluice.bench.scenario;

import dev.sluice.bench.BenchOptions;
import dev.sluice.bench.http.Connection;
import dev.sluice.bench.http.HttpResponseParser;
import dev.sluice.bench.metrics.LatencyRecorder;
import dev.sluice.bench.metrics.LatencySummary;
import dev.sluice.bench.metrics.PhaseClock;
import dev.sluice.bench.metrics.RequestStats;
import dev.sluice.bench.report.ScenarioResult;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code longpoll}: P reader/writer pairs, one stream each. A cycle: the reader long-polls at the
 * tail ({@code ?offset=<tail>&live=long-poll}), {@code --delay} later the writer appends, and the
 * reader must wake with exactly that append (200). Recorded: append sent → reader woken (headline;
 * includes the server's durable write) and append acknowledged → reader woken. A 204 (long-poll
 * timeout) re-polls without ending the cycle.
 *
 * <p>All pair state is confined to the event loop.
 */
final class LongPollScenario implements Scenario {

  private BenchContext ctx;
  private RequestStats stats;
  private LatencyRecorder sendToWake;
  private LatencyRecorder ackToWake;
  private long delayNanos;
  private byte[] body;
  private boolean stopped;
  private final List<Pair> pairs = new ArrayList<>();
  private volatile long timeouts;
  private volatile long cycles;

  private final class Pair {
    final String path;
    final byte[] append;
    String offset;
    Connection reader;
    Connection writer;
    long appendSent;
    long appendAck;
    long woke;
    boolean appendScheduled;

    Pair(String path, String tail) {
      this.path = path;
      this.offset = tail;
      this.append = ctx.target().request("POST", path, body, "Content-Type", "application/octet-stream");
    }

    void poll() {
      if (stopped || reader == null || !reader.isConnected() || reader.inFlight()) return;
      String q = "?offset=" + URLEncoder.encode(offset, StandardCharsets.UTF_8) + "&live=long-poll";
      reader.sendStreaming(ByteBuffer.wrap(ctx.target().request("GET", path + q, null)));
      if (!appendScheduled) {
        appendScheduled = true;
        ctx.loop().schedule(System.nanoTime() + delayNanos, this::append);
      }
    }

    void append() {
      if (stopped) return;
      if (writer == null || !writer.isConnected() || writer.inFlight()) {
        ctx.loop().schedule(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(10), this::append);
        return;
      }
      appendAck = 0;
      woke = 0;
      writer.send(ByteBuffer.wrap(append));
      appendSent = writer.sentNanos();
    }

    void onWake(long now, HttpResponseParser r) {
      if (appendSent == 0) {
        stats.protocolError("long-poll on " + path + " returned data before anything was appended");
      }
      if (r.bodyBytes() != body.length) {
        stats.protocolError("long-poll on " + path + " returned " + r.bodyBytes() + " bytes, expected " + body.length);
      }
      String next = r.header(0);
      if (next == null || next.equals(offset)) {
        stats.protocolError("long-poll 200 on " + path + " without a new Stream-Next-Offset (" + next + ")");
      } else {
        offset = next;
      }
      woke = now;
      maybeFinishCycle();
    }

    void onAck(long now) {
      appendAck = now;
      maybeFinishCycle();
    }

    void maybeFinishCycle() {
      if (woke == 0 || appendAck == 0) return;
      sendToWake.record(appendSent, woke);
      ackToWake.recordLatency(appendSent, woke - appendAck);
      stats.success(200, 1, body.length);
      cycles++;
      appendSent = 0;
      appendAck = 0;
      woke = 0;
      appendScheduled = false;
      poll();
    }
  }

  /** A closed reader or writer connection: count the error, reconnect 100 ms later unless stopping. */
  private void reconnectLater(Connection c, Throwable cause, String what) {
    if (stopped) return;
    if (cause != null) stats.connectionError(what + ": " + cause);
    ctx.loop().schedule(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100), () -> {
      if (!stopped) c.reconnect();
    });
  }

  private final class ReaderHandler implements Connection.Handler {
    private final Pair p;

    ReaderHandler(Pair p) {
      this.p = p;
    }

    @Override
    public HttpResponseParser newParser() {
      return new HttpResponseParser("Stream-Next-Offset");
    }

    @Override
    public void onConnected(Connection c) {
      p.reader = c;
      p.poll();
    }

    @Override
    public void onResponse(Connection c, HttpResponseParser r) {
      if (r.status() == 200) {
        p.onWake(c.readNanos(), r);
      } else if (r.status() == 204) {
        timeouts++;
        String next = r.header(0);
        if (next != null) p.offset = next;
        p.poll();
      } else {
        stats.badStatus(r.status(), "long-poll GET " + p.path + ": " + r.errorBody().trim());
        ctx.loop().schedule(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100), p::poll);
      }
      if (!c.isOpen() && !stopped) c.reconnect();
    }

    @Override
    public void onClosed(Connection c, Throwable cause) {
      reconnectLater(c, cause, "long-poll GET " + p.path);
    }
  }

  private final class WriterHandler implements Connection.Handler {
    private final Pair p;

    WriterHandler(Pair p) {
      this.p = p;
    }

    @Override
    public void onConnected(Connection c) {
      p.writer = c;
    }

    @Override
    public void onResponse(Connection c, HttpResponseParser r) {
      if (r.status() >= 200 && r.status() < 300) {
        p.onAck(c.readNanos());
      } else {
        stats.badStatus(r.status(), "POST " + p.path + ": " + r.errorBody().trim());
      }
      if (!c.isOpen() && !stopped) c.reconnect();
    }

    @Override
    public void onClosed(Connection c, Throwable cause) {
      reconnectLater(c, cause, "POST " + p.path);
    }
  }

  @Override
  public ScenarioResult run(BenchContext context) throws Exception {
    this.ctx = context;
    BenchOptions o = ctx.options();
    int n = o.streamsOr(10);
    delayNanos = o.delay().toNanos();
    body = new byte[o.size()];
    for (int i = 0; i < body.length; i++) body[i] = (byte) ('a' + i % 26);
    ResultBuilder result = new ResultBuilder(ctx, "longpoll", "longpoll-s" + n + (o.size() != 256 ? "-z" + o.size() : ""));
    result.param("pairs", n).param("delay", o.delay()).param("size", o.size())
        .param("warmup", o.warmup()).param("duration", o.durationOrDefault());
    String[] paths = new String[n];
    List<byte[]> creates = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      paths[i] = ctx.target().streamPath(ctx.streamName("lp" + i));
      creates.add(ctx.target().request("PUT", paths[i], new byte[0], "Content-Type", "application/octet-stream"));
    }
    String[] tails = Setup.run(ctx, "create " + n + " streams", creates, Math.min(n, 16), s -> s == 201 || s == 200,
        "Stream-Next-Offset");
    stats = new RequestStats();
    sendToWake = new LatencyRecorder("append sent → wake-up");
    ackToWake = new LatencyRecorder("append acknowledged → wake-up");
    ctx.loop().call(() -> {
      for (int i = 0; i < n; i++) {
        Pair p = new Pair(paths[i], tails[i] == null ? "-1" : tails[i]);
        pairs.add(p);
        // The writer first, so it is usually connected when the reader's first poll schedules the append.
        p.writer = ctx.loop().connect(ctx.target().address(), new WriterHandler(p), ctx.requestTimeoutNanos());
        p.reader = ctx.loop().connect(ctx.target().address(), new ReaderHandler(p), 0);
      }
      return null;
    }, 10_000);
    PhaseClock.Measured m = PhaseClock.run(new PhaseClock.Display(ctx.display(result.name()), "wake-ups", false, o.quiet(), o.pids(), o.window()),
        o.warmup(), o.durationOrDefault(), stats, List.of(sendToWake, ackToWake),
        () -> "long-poll timeouts " + timeouts, null);
    int inCycle = ctx.loop().call(() -> {
      stopped = true;
      int open = 0;
      for (Pair p : pairs) {
        if (p.appendSent != 0) open++;
        p.reader.closeSilently();
        p.writer.closeSilently();
      }
      return open;
    }, 5000);
    LatencySummary s2w = LatencySummary.of(m.latencies().get(0));
    LatencySummary a2w = LatencySummary.of(m.latencies().get(1));
    result.metric("rate", "wake-ups/s", m.counts().ok() / m.seconds(), true);
    result.latencyMetrics("", "append→wake", s2w, true);
    result.metric("ack_p99", "ack→wake p99 ms", a2w.count() > 0 ? a2w.p99() : Double.NaN, false);
    result.latency("append sent → wake-up", s2w).latency("append acknowledged → wake-up", a2w);
    result.param("long_poll_timeouts", timeouts).param("cycles", cycles);
    if (timeouts > 0 && cycles == 0) result.problem("no reader ever woke up with data; only long-poll timeouts");
    // A cycle still open at the end is normal (the run stops mid-cycle), so it is not a problem.
    result.param("open_cycles_at_end", inCycle);
    return result.build(m, stats, 0);
  }
}
