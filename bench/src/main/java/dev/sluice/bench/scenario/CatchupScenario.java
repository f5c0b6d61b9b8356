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
 * {@code catchup}: one octet-stream stream of {@code --stream-bytes}, filled with 64 KiB appends;
 * K clients each read it from {@code -1}, following {@code Stream-Next-Offset} until a response says
 * {@code Stream-Up-To-Date: true} (docs/protocol-checklist.md §9), then start over. Throughput is the body
 * bytes received per second by all clients; every full read must return exactly the stream's size.
 * The body is counted, never copied.
 */
final class CatchupScenario implements Scenario {

  private static final int FILL_CHUNK = 64 * 1024;

  private BenchContext ctx;
  private RequestStats stats;
  private LatencyRecorder requestLatency;
  private LatencyRecorder fullReadLatency;
  private String path;
  private long streamBytes;
  private boolean stopped;
  private final List<Reader> readers = new ArrayList<>();
  private volatile long fullReads;

  private final class Reader implements Connection.Handler {
    String offset = "-1";
    long passBytes;
    long passStart;
    Connection conn;

    @Override
    public HttpResponseParser newParser() {
      return new HttpResponseParser("Stream-Next-Offset", "Stream-Up-To-Date");
    }

    @Override
    public void onConnected(Connection c) {
      conn = c;
      next(c);
    }

    void next(Connection c) {
      if (stopped) return;
      if (offset.equals("-1")) {
        passBytes = 0;
        passStart = System.nanoTime();
      }
      c.send(ByteBuffer.wrap(ctx.target().request("GET", path + "?offset=" + URLEncoder.encode(offset, StandardCharsets.UTF_8), null)));
    }

    @Override
    public void onResponse(Connection c, HttpResponseParser r) {
      long now = c.readNanos();
      if (r.status() != 200) {
        stats.badStatus(r.status(), "GET " + path + "?offset=" + offset + ": " + r.errorBody().trim());
        offset = "-1";
      } else {
        requestLatency.record(c.sentNanos(), now);
        passBytes += r.bodyBytes();
        boolean upToDate = "true".equalsIgnoreCase(r.header(1));
        String next = r.header(0);
        stats.success(200, upToDate ? 1 : 0, r.bodyBytes());
        if (upToDate) {
          if (passBytes != streamBytes) {
            stats.protocolError("a full read from -1 returned " + passBytes + " bytes; the stream holds " + streamBytes);
          }
          fullReadLatency.record(passStart, now);
          fullReads++;
          offset = "-1";
        } else if (next == null || next.equals(offset) || r.bodyBytes() == 0) {
          stats.protocolError("GET ?offset=" + offset + " made no progress (Stream-Next-Offset " + next + ", "
              + r.bodyBytes() + " bytes, not up to date)");
          offset = "-1";
        } else {
          offset = next;
        }
      }
      if (c.isOpen()) {
        next(c);
      } else if (!stopped) {
        c.reconnect();
      }
    }

    @Override
    public void onClosed(Connection c, Throwable cause) {
      if (stopped) return;
      if (cause != null) stats.connectionError("GET " + path + ": " + cause);
      offset = "-1";
      ctx.loop().schedule(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(cause == null ? 0 : 100), () -> {
        if (!stopped) c.reconnect();
      });
    }
  }

  @Override
  public ScenarioResult run(BenchContext context) throws Exception {
    this.ctx = context;
    BenchOptions o = ctx.options();
    int clients = o.clients();
    streamBytes = o.streamBytes();
    ResultBuilder result = new ResultBuilder(ctx, "catchup", "catchup-k" + clients + "-" + sizeName(streamBytes));
    result.param("clients", clients).param("stream_bytes", streamBytes)
        .param("warmup", o.warmup()).param("duration", o.durationOrDefault());
    path = ctx.target().streamPath(ctx.streamName("catchup"));
    Setup.run(ctx, "create the catchup stream", List.of(ctx.target().request("PUT", path, new byte[0],
        "Content-Type", "application/octet-stream")), 1, s -> s == 201 || s == 200, null);
    List<byte[]> fills = new ArrayList<>();
    for (long at = 0; at < streamBytes; at += FILL_CHUNK) {
      byte[] chunk = new byte[(int) Math.min(FILL_CHUNK, streamBytes - at)];
      for (int i = 0; i < chunk.length; i++) chunk[i] = (byte) ('a' + (at + i) % 26);
      fills.add(ctx.target().request("POST", path, chunk, "Content-Type", "application/octet-stream"));
    }
    Setup.run(ctx, "fill it with " + sizeName(streamBytes), fills, 4, s -> s >= 200 && s < 300, null);

    stats = new RequestStats();
    requestLatency = new LatencyRecorder("GET");
    fullReadLatency = new LatencyRecorder("full read");
    ctx.loop().call(() -> {
      for (int i = 0; i < clients; i++) {
        Reader r = new Reader();
        readers.add(r);
        ctx.loop().connect(ctx.target().address(), r, ctx.requestTimeoutNanos());
      }
      return null;
    }, 10_000);
    PhaseClock.Measured m = PhaseClock.run(new PhaseClock.Display(ctx.display(result.name()), "reads", true, o.quiet(), o.pids(), o.window()),
        o.warmup(), o.durationOrDefault(), stats, List.of(fullReadLatency, requestLatency),
        () -> "full reads " + fullReads, null);
    ctx.loop().call(() -> {
      stopped = true;
      for (Reader r : readers) {
        if (r.conn != null) r.conn.closeSilently();
      }
      return null;
    }, 5000);
    LatencySummary full = LatencySummary.of(m.latencies().get(0));
    LatencySummary get = LatencySummary.of(m.latencies().get(1));
    result.metric("mbps", "MB/s", m.counts().bytes() / 1e6 / m.seconds(), true);
    result.param("full_reads_per_s", String.format("%.1f", m.counts().units() / m.seconds()));
    result.metric("full_p50", "full read p50 ms", full.count() > 0 ? full.p50() : Double.NaN, false);
    result.metric("full_p99", "full read p99 ms", full.count() > 0 ? full.p99() : Double.NaN, false);
    result.metric("get_p99", "GET p99 ms", get.count() > 0 ? get.p99() : Double.NaN, false);
    result.latency("full read", full).latency("GET", get);
    return result.build(m, stats, 0);
  }

  static String sizeName(long bytes) {
    if (bytes % (1L << 30) == 0) return (bytes >> 30) + "GiB";
    if (bytes % (1L << 20) == 0) return (bytes >> 20) + "MiB";
    if (bytes % 1024 == 0) return (bytes >> 10) + "KiB";
    return bytes + "B";
  }
}
