package dev.sluice.bench.scenario;

import dev.sluice.bench.BenchOptions;
import dev.sluice.bench.http.Connection;
import dev.sluice.bench.http.HttpResponseParser;
import dev.sluice.bench.metrics.LatencyRecorder;
import dev.sluice.bench.metrics.LatencySummary;
import dev.sluice.bench.metrics.PhaseClock;
import dev.sluice.bench.metrics.RequestStats;
import dev.sluice.bench.report.ScenarioResult;
import dev.sluice.bench.sse.ControlEvent;
import dev.sluice.bench.sse.FanoutPayload;
import dev.sluice.bench.sse.SseParser;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code fanout}: one text/plain stream, S SSE subscribers ({@code offset=now&live=sse}), appends at
 * R/s. Each append carries its sequence number and send time ({@link FanoutPayload}); each
 * subscriber checks that it sees every acknowledged append exactly once, and the latency from the
 * writer's acknowledgement to each receipt is recorded (0 when the event beat the acknowledgement).
 *
 * <p>Subscribers connect gradually (at most 100 waiting for their first control event) and must all
 * be caught up before the first append. A subscriber whose response ends (SSE connection cycling,
 * docs/protocol-checklist.md §11) reconnects from its last {@code streamNextOffset} with its cursor.
 * Delivered-vs-expected counts the whole run (warm-up, measured phase and the drain afterwards);
 * latencies only the measured phase.
 */
final class FanoutScenario implements Scenario {

  private static final int MAX_CONNECTING = 100;

  private BenchContext ctx;
  private String path;
  private RequestStats stats;
  private LatencyRecorder ackToReceive;
  private LatencyRecorder sendToReceive;
  private final List<Sub> subs = new ArrayList<>();
  private volatile int ready;
  private volatile long delivered;
  private volatile long acked;
  private final BitSet ackedSet = new BitSet();
  private long[] ackNanos = new long[1024];
  /** Stream-Next-Offset of each acknowledged append: the server's order, whatever the writers' order. */
  private String[] ackOffsets = new String[1024];
  private long[] pending = new long[384]; // triples: seq, send nanos, receive nanos
  private int pendingLen;
  private long duplicates;
  private long outOfOrder;
  private long beforeAck;
  private long reconnects;
  private long abruptCloses;
  private boolean stopped;

  /** One subscriber; confined to the loop. */
  private final class Sub implements Connection.Handler, SseParser.Listener {
    final SseParser sse = new SseParser();
    final BitSet seen = new BitSet();
    String offset;
    String cursor;
    boolean isReady;
    /** Caught up before the first append: expected to receive every append. */
    boolean counted;
    boolean ok200;
    long lastSeq = -1;
    long received;
    byte[] lastControl = new byte[160];
    int lastControlLen;
    Connection conn;

    @Override
    public void onConnected(Connection c) {
      conn = c;
      applyControl();
      String q = offset == null ? "offset=now&live=sse"
          : "offset=" + enc(offset) + "&live=sse" + (cursor == null ? "" : "&cursor=" + enc(cursor));
      c.sendStreaming(ByteBuffer.wrap(ctx.target().request("GET", path + "?" + q, null, "Accept", "text/event-stream")));
    }

    @Override
    public void onHeaders(Connection c, HttpResponseParser r) {
      ok200 = r.status() == 200;
      sse.reset();
    }

    @Override
    public void onBody(Connection c, byte[] data, int off, int len) {
      if (ok200) sse.feed(data, off, len, this);
    }

    @Override
    public void onResponse(Connection c, HttpResponseParser r) {
      if (stopped) return;
      if (r.status() != 200) {
        stats.badStatus(r.status(), "SSE GET " + path + ": " + r.errorBody().trim());
        c.closeSilently();
        ctx.loop().schedule(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500), () -> {
          if (!stopped) c.reconnect();
        });
        return;
      }
      reconnects++; // the server ended the SSE response (cycling): resume where we were
      c.reconnect();
    }

    @Override
    public void onClosed(Connection c, Throwable cause) {
      if (stopped) return;
      if (cause != null) abruptCloses++;
      ctx.loop().schedule(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(cause == null ? 0 : 100), () -> {
        if (!stopped) c.reconnect();
      });
    }

    @Override
    public void onEvent(String type, byte[] data, int length) {
      if (type == SseParser.DATA) {
        long recv = conn.readNanos();
        int bad = FanoutPayload.decode(data, length, (seq, sendNanos) -> onRecord(this, seq, sendNanos, recv));
        if (bad > 0) stats.protocolError("SSE data event with " + bad + " malformed record(s): " + abbreviate(SseParser.text(data, length)));
      } else if (type == SseParser.CONTROL) {
        // Kept as bytes and parsed only when needed (first one, reconnects): this runs S times per append.
        if (lastControl.length < length) lastControl = new byte[Math.max(length, 2 * lastControl.length)];
        System.arraycopy(data, 0, lastControl, 0, length);
        lastControlLen = length;
        if (!isReady) {
          isReady = true;
          ready++;
          applyControl();
        }
      }
    }

    /** Takes offset and cursor from the last control event; reports a closed stream. */
    void applyControl() {
      if (lastControlLen == 0) return;
      String json = SseParser.text(lastControl, lastControlLen);
      ControlEvent ce = ControlEvent.parse(json);
      if (ce.streamNextOffset() != null) offset = ce.streamNextOffset();
      if (ce.streamCursor() != null) cursor = ce.streamCursor();
      if (ce.streamClosed()) stats.protocolError("control event says the stream is closed: " + json);
      lastControlLen = 0;
    }
  }

  @Override
  public ScenarioResult run(BenchContext context) throws Exception {
    this.ctx = context;
    BenchOptions o = ctx.options();
    int subscribers = o.subscribers();
    double rate = o.rateOr(20);
    // Enough writers that the rate holds while an append takes up to writers/rate seconds.
    int writers = o.connectionsOr(16);
    ResultBuilder result = new ResultBuilder(ctx, "fanout",
        "fanout-sub" + subscribers + "-r" + AppendScenario.fmtRate(rate) + (o.size() != 256 ? "-z" + o.size() : ""));
    result.param("subscribers", subscribers).param("rate", AppendScenario.fmtRate(rate)).param("writers", writers)
        .param("size", o.size()).param("warmup", o.warmup()).param("duration", o.durationOrDefault());
    path = ctx.target().streamPath(ctx.streamName("fanout"));
    Setup.run(ctx, "create the fanout stream", List.of(ctx.target().request("PUT", path, new byte[0], "Content-Type", "text/plain")),
        1, s -> s == 201 || s == 200, null);

    stats = new RequestStats();
    ackToReceive = new LatencyRecorder("ack→receive");
    sendToReceive = new LatencyRecorder("send→receive");
    LatencyRecorder appendLatency = new LatencyRecorder("append");

    long t0 = System.nanoTime();
    ctx.loop().execute(() -> {
      for (int i = 0; i < subscribers; i++) subs.add(new Sub());
      rampUp(0);
    });
    long readyDeadline = t0 + TimeUnit.SECONDS.toNanos(Math.max(30, subscribers / 20));
    int lastPrinted = -1;
    while (ready < subscribers && System.nanoTime() < readyDeadline) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
      int r = ready;
      if (!o.quiet() && r / 250 != lastPrinted / 250) {
        System.err.printf("[setup] %d/%d subscribers caught up%n", r, subscribers);
        lastPrinted = r;
      }
    }
    int readyAtStart = ctx.loop().call(() -> {
      int n = 0;
      for (Sub s : subs) {
        s.counted = s.isReady;
        if (s.counted) n++;
      }
      return n;
    }, 5000);
    if (!o.quiet()) System.err.printf("[setup] %d/%d subscribers caught up in %.1f s%n", readyAtStart, subscribers, (System.nanoTime() - t0) / 1e9);
    if (readyAtStart < subscribers) {
      result.problem((subscribers - readyAtStart) + " of " + subscribers + " subscribers never got their first control event");
    }

    RequestDriver.Source source = new RequestDriver.Source() {
      @Override
      public ByteBuffer render(Connection c, long k) {
        byte[] body = FanoutPayload.encode(k, System.nanoTime(), o.size());
        return ByteBuffer.wrap(ctx.target().request("POST", path, body, "Content-Type", "text/plain"));
      }

      @Override
      public int bodyBytes(long k) {
        return o.size();
      }

      @Override
      public void completed(Connection c, long k, int status, HttpResponseParser response) {
        if (status >= 200 && status < 300) onAck(k, c.readNanos(), response.header(0));
      }

      @Override
      public String describe(long k) {
        return "POST " + path + " #" + k;
      }
    };
    RequestDriver driver = new RequestDriver(ctx.loop(), ctx.target(), writers, Long.MAX_VALUE, rate, source,
        s -> s >= 200 && s < 300, stats, appendLatency, ctx.requestTimeoutNanos(), "Stream-Next-Offset");
    driver.start();
    PhaseClock.Measured m = PhaseClock.run(new PhaseClock.Display(ctx.display(result.name()), "appends", false, o.quiet(), o.pids(), o.window()),
        o.warmup(), o.durationOrDefault(), stats, List.of(ackToReceive, sendToReceive, appendLatency),
        () -> String.format("delivered %,d/%,d  subscribers %d", delivered, acked * readyAtStart, ready), null);
    int hung = driver.stop(o.drainTimeout().toMillis());

    // Drain: give every subscriber time to receive every acknowledged append.
    long drainEnd = System.nanoTime() + o.drainTimeout().toNanos();
    long missing = ctx.loop().call(this::missing, 5000);
    while (missing > 0 && System.nanoTime() < drainEnd) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
      missing = ctx.loop().call(this::missing, 5000);
    }
    final long missingFinal = missing;
    long[] counters = ctx.loop().call(() -> {
      stopped = true;
      for (Sub s : subs) {
        if (s.conn != null) s.conn.closeSilently();
      }
      return new long[] {acked, delivered, duplicates, outOfOrder, beforeAck, reconnects, abruptCloses};
    }, 5000);
    long expected = counters[0] * readyAtStart;

    LatencySummary a2r = LatencySummary.of(m.latencies().get(0));
    LatencySummary s2r = LatencySummary.of(m.latencies().get(1));
    LatencySummary app = LatencySummary.of(m.latencies().get(2));
    result.metric("delivered", "delivered %", expected == 0 ? Double.NaN : 100.0 * (expected - missingFinal) / expected, true);
    result.metric("missing", "events missing", missingFinal, false);
    result.latencyMetrics("", "ack→recv", a2r, true);
    // More than half the events can beat the acknowledgement (ack→recv 0), so the end-to-end view too.
    result.metric("send_p99", "send→recv p99 ms", s2r.count() > 0 ? s2r.p99() : Double.NaN, false);
    double achieved = m.counts().ok() / m.seconds();
    result.metric("rate", "appends/s", achieved, true);
    if (achieved < rate * 0.95) {
      result.problem(String.format("the writers fell behind: %.1f of %s appends/s acknowledged (%s, %d writer connections)",
          achieved, AppendScenario.fmtRate(rate),
          app.count() > 0 ? "append p50 " + LatencySummary.fmt(app.p50()) : "no append sent in the measured phase was acknowledged in it",
          writers));
    }
    result.latency("ack→receive", a2r).latency("send→receive", s2r).latency("append (writer)", app);
    result.param("expected", expected).param("acked_appends", counters[0]);
    if (missingFinal > 0) {
      result.problem(String.format("%,d of %,d expected SSE deliveries never arrived (%,d acknowledged appends x %d subscribers), waited %d ms after the last append",
          missingFinal, expected, counters[0], readyAtStart, o.drainTimeout().toMillis()));
    }
    if (counters[2] > 0) result.problem(counters[2] + " duplicate deliveries");
    if (counters[3] > 0) result.problem(counters[3] + " deliveries out of the server's order (by acknowledged Stream-Next-Offset)");
    if (counters[6] > 0) result.problem(counters[6] + " SSE connections closed abruptly (not at the end of a response); they reconnected");
    if (counters[5] > 0) result.param("sse_reconnects", counters[5]);
    result.param("delivered_before_ack", counters[4]);
    return result.build(m, stats, hung);
  }

  /** Opens connections until all subscribers exist, keeping at most {@link #MAX_CONNECTING} not yet caught up. */
  private void rampUp(int next) {
    int i = next;
    while (i < subs.size() && i - ready < MAX_CONNECTING) {
      ctx.loop().connect(ctx.target().address(), subs.get(i), 0);
      i++;
    }
    if (i < subs.size()) {
      final int from = i;
      ctx.loop().schedule(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(10), () -> rampUp(from));
    }
  }

  private void onAck(long k, long now, String nextOffset) {
    int seq = (int) k;
    if (seq >= ackNanos.length) {
      ackNanos = Arrays.copyOf(ackNanos, Math.max(ackNanos.length * 2, seq + 1));
      ackOffsets = Arrays.copyOf(ackOffsets, ackNanos.length);
    }
    ackNanos[seq] = now;
    ackOffsets[seq] = nextOffset;
    ackedSet.set(seq);
    acked++;
    int w = 0;
    for (int i = 0; i < pendingLen; i += 3) {
      if (pending[i] == seq) {
        recordAckToReceive(pending[i + 1], now, pending[i + 2]);
      } else {
        pending[w++] = pending[i];
        pending[w++] = pending[i + 1];
        pending[w++] = pending[i + 2];
      }
    }
    pendingLen = w;
  }

  private void onRecord(Sub sub, long seq, long sendNanos, long recv) {
    if (seq < 0 || seq > Integer.MAX_VALUE - 1) {
      stats.protocolError("SSE record with an impossible sequence number " + seq);
      return;
    }
    int s = (int) seq;
    if (sub.seen.get(s)) {
      duplicates++;
      if (duplicates <= 3) stats.protocolError("duplicate delivery of append #" + seq + " to a subscriber");
      return;
    }
    sub.seen.set(s);
    sub.received++;
    delivered++;
    // Writers run concurrently, so the server's order is that of the acknowledged offsets, not of seq.
    // Checked when both offsets are known (an event can beat its acknowledgement).
    if (sub.lastSeq >= 0) {
      String prev = offsetOf(sub.lastSeq);
      String cur = offsetOf(seq);
      if (prev != null && cur != null && prev.compareTo(cur) >= 0) {
        outOfOrder++;
        if (outOfOrder <= 3) {
          stats.protocolError("append #" + seq + " (offset " + cur + ") arrived after #" + sub.lastSeq + " (offset " + prev + ")");
        }
      }
    }
    sub.lastSeq = seq;
    sendToReceive.record(sendNanos, recv);
    if (s < ackNanos.length && ackNanos[s] != 0) {
      recordAckToReceive(sendNanos, ackNanos[s], recv);
    } else {
      if (pendingLen + 3 > pending.length) pending = Arrays.copyOf(pending, pending.length * 2);
      pending[pendingLen++] = seq;
      pending[pendingLen++] = sendNanos;
      pending[pendingLen++] = recv;
    }
  }

  private String offsetOf(long seq) {
    return seq < ackOffsets.length ? ackOffsets[(int) seq] : null;
  }

  private void recordAckToReceive(long sendNanos, long ackNanos, long recvNanos) {
    if (recvNanos < ackNanos) beforeAck++;
    ackToReceive.recordLatency(sendNanos, recvNanos - ackNanos);
  }

  /** Acknowledged appends not yet seen, summed over the subscribers caught up before the first append. */
  private long missing() {
    long missing = 0;
    for (Sub s : subs) {
      if (!s.counted) continue;
      BitSet b = (BitSet) ackedSet.clone();
      b.andNot(s.seen);
      missing += b.cardinality();
    }
    return missing;
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static String abbreviate(String s) {
    return s.length() > 120 ? s.substring(0, 120) + "..." : s;
  }
}
