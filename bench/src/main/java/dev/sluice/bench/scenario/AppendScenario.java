package dev.sluice.bench.scenario;

import dev.sluice.bench.BenchOptions;
import dev.sluice.bench.http.Connection;
import dev.sluice.bench.http.HttpResponseParser;
import dev.sluice.bench.http.Target;
import dev.sluice.bench.metrics.LatencyRecorder;
import dev.sluice.bench.metrics.LatencySummary;
import dev.sluice.bench.metrics.PhaseClock;
import dev.sluice.bench.metrics.RequestStats;
import dev.sluice.bench.report.ScenarioResult;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code append} and {@code producer}: POSTs of {@code size} bytes ({@code batch} records of
 * {@code size} bytes for producer) to N octet-stream streams, request k going to stream k mod N.
 *
 * <p>Plain appends are pre-rendered once per stream. Producer appends carry one producer per
 * connection ({@code Producer-Id: bench-<run>-p<conn>}, epoch 0) with its own {@code Producer-Seq}
 * per stream; a connection has one request in flight, so each (stream, producer) sees its seqs in
 * order (docs/protocol-checklist.md §5). A request that got no response is retried with the same seq, as an
 * idempotent producer would; its 204 (duplicate) then counts as success.
 *
 * <p>Several targets (the nodes of a cluster, {@code --url A,B,C}): each stream is created once,
 * through the first target; the connections are spread evenly over the targets (see
 * {@link RequestDriver}), and each target walks through all N streams on its own (starting at stream
 * {@code t * N / T}), so every stream is appended to through every node whatever N and T. The result
 * has the totals plus, per target, its appends/s, latencies and errors.
 */
final class AppendScenario implements Scenario {

  private final boolean producer;

  AppendScenario(boolean producer) {
    this.producer = producer;
  }

  @Override
  public ScenarioResult run(BenchContext ctx) throws Exception {
    BenchOptions o = ctx.options();
    int streams = o.streamsOr(100);
    int connections = o.connectionsOr(256);
    double rate = o.rateOr(0);
    int batch = producer ? o.batch() : 1;
    int bodySize = o.size() * batch;
    String kind = producer ? "producer" : "append";
    String defaultName = kind + "-s" + streams + "-c" + connections + (producer ? "-b" + batch : "")
        + (o.size() != 256 ? "-z" + o.size() : "") + (rate > 0 ? "-r" + fmtRate(rate) : "-closed");
    ResultBuilder result = new ResultBuilder(ctx, kind, defaultName);
    result.param("streams", streams).param("connections", connections).param("size", o.size());
    if (producer) result.param("batch", batch);
    result.param("loop", rate > 0 ? "open" : "closed");
    if (rate > 0) result.param("rate", fmtRate(rate));
    result.param("warmup", o.warmup()).param("duration", o.durationOrDefault());
    List<Target> targets = ctx.targets();
    if (targets.size() > 1) result.param("targets", targets.size());

    String[] paths = new String[streams];
    List<byte[]> creates = new ArrayList<>(streams);
    for (int i = 0; i < streams; i++) {
      paths[i] = ctx.target().streamPath(ctx.streamName((producer ? "p" : "a") + i));
      creates.add(ctx.target().request("PUT", paths[i], new byte[0], "Content-Type", "application/octet-stream"));
    }
    Setup.run(ctx, "create " + streams + " streams", creates, Math.min(connections, 32), s -> s == 201 || s == 200, null);

    byte[] body = new byte[bodySize];
    for (int i = 0; i < bodySize; i++) body[i] = (byte) ('a' + i % 26);
    RequestStats stats = new RequestStats();
    StreamPicker picker = new StreamPicker(streams, targets.size());
    RequestDriver.Source source = producer ? new ProducerSource(ctx, paths, body, batch, stats, picker)
        : new PlainSource(ctx, paths, body, picker);
    LatencyRecorder latency = new LatencyRecorder(kind);
    List<RequestDriver.PerTarget> perTarget = new ArrayList<>();
    List<LatencyRecorder> recorders = new ArrayList<>(List.of(latency));
    if (targets.size() > 1) {
      for (Target t : targets) {
        RequestDriver.PerTarget pt = new RequestDriver.PerTarget(new RequestStats(), new LatencyRecorder(kind + " via " + t.hostHeader()));
        perTarget.add(pt);
        recorders.add(pt.latency());
      }
    }
    RequestStats.Snapshot[] targetStart = new RequestStats.Snapshot[perTarget.size()];
    RequestStats.Snapshot[] targetEnd = new RequestStats.Snapshot[perTarget.size()];
    RequestDriver driver = new RequestDriver(ctx.loop(), targets, perTarget, connections, Long.MAX_VALUE, rate, source,
        producer ? s -> s == 200 || s == 204 : s -> s >= 200 && s < 300, stats, latency, ctx.requestTimeoutNanos());
    driver.start();
    long[] unsent = new long[1];
    long[] dropped = new long[1];
    PhaseClock.Measured m = PhaseClock.run(
        new PhaseClock.Display(ctx.display(result.name()), producer ? "records" : "appends", false, o.quiet(), o.pids(), o.window()),
        o.warmup(), o.durationOrDefault(), stats, recorders,
        () -> "in-flight " + driver.inFlight() + (rate > 0 ? "  backlog max " + driver.maxBacklog() : ""), null,
        () -> {
          try {
            dropped[0] = driver.rebaseSchedule();
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
          for (int t = 0; t < perTarget.size(); t++) targetStart[t] = perTarget.get(t).stats().snapshot();
        },
        () -> {
          try {
            unsent[0] = driver.recordUnsentBacklog();
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
          for (int t = 0; t < perTarget.size(); t++) targetEnd[t] = perTarget.get(t).stats().snapshot();
        });
    long maxBacklog = driver.maxBacklog();
    int hung = driver.stop(o.drainTimeout().toMillis());

    LatencySummary lat = LatencySummary.of(m.latencies().get(0));
    double secs = m.seconds();
    double requestsPerSec = m.counts().ok() / secs;
    if (rate > 0) {
      result.metric("rate", "achieved POSTs/s", requestsPerSec, true);
      result.latencyMetrics("", "", lat, true);
      result.param("unsent_at_end", unsent[0]).param("warmup_backlog_dropped", dropped[0]);
      if (requestsPerSec < rate * 0.95) {
        result.problem(String.format("open loop fell behind: %.0f of %.0f POSTs/s completed (backlog up to %d;"
            + " %d due requests never sent, counted in the latencies with their wait so far)",
            requestsPerSec, rate, maxBacklog, unsent[0]));
      }
    } else {
      result.metric("throughput", producer ? "records/s" : "appends/s", m.counts().units() / secs, true);
      if (producer) result.metric("posts", "POSTs/s", requestsPerSec, true);
      result.latencyMetrics("", "", lat, false);
    }
    result.metric("errors", "errors", m.counts().errors() + hung, false);
    result.param("mb_per_s", String.format("%.2f", m.counts().bytes() / 1e6 / secs));
    result.latency(rate > 0 ? kind + " (from intended send time)" : kind, lat);
    for (int t = 0; t < perTarget.size(); t++) {
      // Per target: the same figures, keyed t<i>.<metric> and labelled "via host:port".
      String via = " via " + targets.get(t).hostHeader();
      RequestStats.Snapshot c = targetEnd[t].minus(targetStart[t]);
      LatencySummary tl = LatencySummary.of(m.latencies().get(t + 1));
      String key = "t" + t + ".";
      if (rate > 0) {
        result.metric(key + "rate", "achieved POSTs/s" + via, c.ok() / secs, true);
      } else {
        result.metric(key + "throughput", (producer ? "records/s" : "appends/s") + via, c.units() / secs, true);
      }
      result.metric(key + "p50", "p50 ms" + via, tl.count() > 0 ? tl.p50() : Double.NaN, false);
      result.metric(key + "p99", "p99 ms" + via, tl.count() > 0 ? tl.p99() : Double.NaN, false);
      result.metric(key + "max", "max ms" + via, tl.count() > 0 ? tl.max() : Double.NaN, false);
      result.metric(key + "errors", "errors" + via, c.errors(), false);
      result.latency(kind + via, tl);
    }
    return result.build(m, stats, hung);
  }

  static String fmtRate(double rate) {
    return rate == Math.rint(rate) ? Long.toString((long) rate) : Double.toString(rate);
  }

  /** Plain appends, rendered once per stream. */
  private static final class PlainSource implements RequestDriver.Source {
    /** Per target, per stream: the whole request (the Host header differs by target). */
    private final byte[][][] requests;
    private final String[] paths;
    private final int bodySize;
    private final StreamPicker picker;

    PlainSource(BenchContext ctx, String[] paths, byte[] body, StreamPicker picker) {
      this.paths = paths;
      this.bodySize = body.length;
      this.picker = picker;
      List<Target> targets = ctx.targets();
      requests = new byte[targets.size()][paths.length][];
      for (int t = 0; t < targets.size(); t++) {
        for (int i = 0; i < paths.length; i++) {
          requests[t][i] = targets.get(t).request("POST", paths[i], body, "Content-Type", "application/octet-stream");
        }
      }
    }

    @Override
    public ByteBuffer render(Connection c, long k) {
      return render(c, 0, k);
    }

    @Override
    public ByteBuffer render(Connection c, int target, long k) {
      return ByteBuffer.wrap(requests[target][picker.next(c, target)]);
    }

    @Override
    public int bodyBytes(long k) {
      return bodySize;
    }

    @Override
    public String describe(long k) {
      return "POST";
    }

    @Override
    public String describe(Connection c, long k) {
      return "POST " + paths[picker.last(c)];
    }
  }

  /** Producer appends: per-stream request prefix, per-connection producer id and seqs. */
  private static final class ProducerSource implements RequestDriver.Source {
    private final String runId;
    private final String[] paths;
    /** Per target, per stream: the request head up to the producer headers. */
    private final byte[][][] prefixes;
    private final StreamPicker picker;
    private final byte[] body;
    private final int batch;
    private final RequestStats stats;
    private final Map<Integer, ProducerState> producers = new HashMap<>();

    private static final class ProducerState {
      final byte[] idHeader;
      final long[] nextSeq;
      final boolean[] retrying;
      final ByteBuffer buf;
      int stream = -1;

      ProducerState(byte[] idHeader, int streams, int capacity) {
        this.idHeader = idHeader;
        this.nextSeq = new long[streams];
        this.retrying = new boolean[streams];
        this.buf = ByteBuffer.allocate(capacity);
      }
    }

    ProducerSource(BenchContext ctx, String[] paths, byte[] body, int batch, RequestStats stats, StreamPicker picker) {
      this.runId = ctx.runId();
      this.stats = stats;
      this.paths = paths;
      this.body = body;
      this.batch = batch;
      this.picker = picker;
      List<Target> targets = ctx.targets();
      prefixes = new byte[targets.size()][paths.length][];
      for (int t = 0; t < targets.size(); t++) {
        for (int i = 0; i < paths.length; i++) {
          String p = "POST " + paths[i] + " HTTP/1.1\r\nHost: " + targets.get(t).hostHeader()
              + "\r\nContent-Type: application/octet-stream\r\nContent-Length: " + body.length + "\r\nProducer-Epoch: 0\r\n";
          prefixes[t][i] = p.getBytes(StandardCharsets.ISO_8859_1);
        }
      }
    }

    @Override
    public ByteBuffer render(Connection c, long k) {
      return render(c, 0, k);
    }

    @Override
    public ByteBuffer render(Connection c, int target, long k) {
      int s = picker.next(c, target);
      ProducerState st = producers.computeIfAbsent(c.id(), id -> new ProducerState(
          ("Producer-Id: bench-" + runId + "-p" + id + "\r\n").getBytes(StandardCharsets.ISO_8859_1),
          paths.length, maxPrefix() + 128 + body.length));
      st.stream = s;
      ByteBuffer b = st.buf;
      b.clear();
      b.put(prefixes[target][s]).put(st.idHeader);
      b.put(("Producer-Seq: " + st.nextSeq[s] + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
      b.put(body);
      b.flip();
      return b;
    }

    private int maxPrefix() {
      int m = 0;
      for (byte[][] perTarget : prefixes) {
        for (byte[] p : perTarget) m = Math.max(m, p.length);
      }
      return m;
    }

    @Override
    public int units(long k) {
      return batch;
    }

    @Override
    public int bodyBytes(long k) {
      return body.length;
    }

    @Override
    public void completed(Connection c, long k, int status, HttpResponseParser response) {
      ProducerState st = producers.get(c.id());
      if (st == null) return;
      int s = st.stream;
      if (status == 0) {
        st.retrying[s] = true; // no answer: resend the same seq next time
        return;
      }
      if (status == 204 && !st.retrying[s]) {
        stats.protocolError("producer POST " + paths[s] + " seq " + st.nextSeq[s]
            + ": 204 (duplicate) for a seq never sent before; a fresh seq must get 200");
      }
      st.retrying[s] = false;
      st.nextSeq[s]++;
    }

    @Override
    public String describe(long k) {
      return "producer POST";
    }

    @Override
    public String describe(Connection c, long k) {
      return "producer POST " + paths[picker.last(c)];
    }
  }
}
