package dev.sluice.server.ops;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.extractRequest;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.path;

import dev.sluice.persistence.journal.JournalMetrics;
import dev.sluice.persistence.replicated.Replication;
import dev.sluice.persistence.rocksdb.RocksDbStorage;
import dev.sluice.replication.Quorum;
import dev.sluice.replication.Writer;
import dev.sluice.replication.node.ReplicationMetrics;
import dev.sluice.subscriptions.RecoveryStats;
import dev.sluice.subscriptions.Subscriptions;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.NotUsed;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.ResponseEntity;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.javadsl.BidiFlow;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.util.ByteString;

/**
 * The node's metrics, served as {@code GET /metrics} in Prometheus text format on the HTTP port
 * (README "Operating" lists every series). Micrometer with its Prometheus registry:
 *
 * <ul>
 *   <li>JVM and process: memory, GC, threads, classes, CPU, uptime, open file descriptors.
 *   <li>HTTP ({@link #instrument}): requests by method and status class with a latency histogram
 *       (until the response head: a long-poll's wait counts, an SSE stream's life does not),
 *       appends acknowledged (a {@code POST} to a stream answered 2xx), live readers now (SSE
 *       streams open, long-polls waiting).
 *   <li>Journal ({@link JournalMetrics}): writes, events, data units and bytes acknowledged.
 *   <li>Storage ({@link RocksDbStorage#groupCommitListener}): group-commit batch size (requests)
 *       and the duration of each batch's RocksDB write with its fsync.
 *   <li>Replication, on a replicated cluster ({@link ReplicationMetrics}): writer opens, fence
 *       rounds, recoveries, failed opens, closes by reason, lag per replica (entries the node's
 *       writers hold that the replica has not acknowledged, summed over streams), live writers,
 *       streams in limbo.
 *   <li>Subscriptions, when enabled ({@link RecoveryStats}): subscriptions in the node's index,
 *       entity recoveries on this node and the journal events they replayed after their snapshots.
 *   <li>{@code sluice_ready}: 1 when {@link Readiness} finds the node ready.
 * </ul>
 *
 * <p>Labels are bounded: method (7 values), status class (5), live mode (2), close reason (6),
 * replica ordinal (3); never a stream path. On the append path the cost is counters and timers
 * (atomic adds, no locks); aggregates over streams are computed at scrape time.
 *
 * <p>Thread-safe.
 */
public final class SluiceMetrics implements AutoCloseable {
  /** The content type of Prometheus' text exposition format 0.0.4. */
  static final ContentType PROMETHEUS_TEXT = ContentTypes.parse("text/plain; version=0.0.4; charset=utf-8");

  private static final String[] METHODS = {"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "OTHER"};
  private static final Duration[] LATENCY_BUCKETS = {
      Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
      Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
      Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60)};
  private static final Duration[] FSYNC_BUCKETS = {
      Duration.ofNanos(100_000), Duration.ofNanos(250_000), Duration.ofNanos(500_000), Duration.ofMillis(1),
      Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
      Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofSeconds(1)};
  private static final double[] BATCH_BUCKETS = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024};
  private static final String STREAM_ROOT = "/v1/stream/";

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final JvmGcMetrics gc = new JvmGcMetrics();
  private final RocksDbStorage storage;
  /** Request timers by method index * 5 + status class - 1, made on first use. */
  private final AtomicReferenceArray<Timer> requestTimers = new AtomicReferenceArray<>(METHODS.length * 5);
  private final Counter appendsAcknowledged;
  private final AtomicInteger sseReaders = new AtomicInteger();
  private final AtomicInteger longPollReaders = new AtomicInteger();

  private SluiceMetrics(ActorSystem<?> system, Subscriptions subscriptions) {
    new JvmMemoryMetrics().bindTo(registry);
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);

    appendsAcknowledged = Counter.builder("sluice.appends.acknowledged")
        .description("POSTs to a stream answered 2xx by this node (appends, closes, producer appends and their duplicates)")
        .register(registry);
    Gauge.builder("sluice.live.readers", sseReaders, AtomicInteger::get).tag("mode", "sse")
        .description("live readers on this node now: SSE responses streaming").register(registry);
    Gauge.builder("sluice.live.readers", longPollReaders, AtomicInteger::get).tag("mode", "long-poll")
        .description("live readers on this node now: long-polls waiting").register(registry);

    Readiness readiness = Readiness.get(system);
    Gauge.builder("sluice.ready", readiness, r -> r.ready() ? 1 : 0)
        .description("1 when this node is ready (GET /ready, GET /health), else 0").register(registry);

    JournalMetrics journal = JournalMetrics.get(system);
    FunctionCounter.builder("sluice.journal.writes", journal, JournalMetrics::writes)
        .description("journal writes acknowledged (one per stream persist; on a cluster, of the streams this node owns)").register(registry);
    FunctionCounter.builder("sluice.journal.write.failures", journal, JournalMetrics::failedWrites)
        .description("journal writes that failed (the stream's entity recovers)").register(registry);
    FunctionCounter.builder("sluice.journal.events", journal, JournalMetrics::events)
        .description("events in acknowledged journal writes").register(registry);
    FunctionCounter.builder("sluice.journal.appended.units", journal, JournalMetrics::dataUnits)
        .description("stream data units (messages) in acknowledged journal writes").register(registry);
    FunctionCounter.builder("sluice.journal.appended.bytes", journal, JournalMetrics::dataBytes).baseUnit("bytes")
        .description("bytes of stream data in acknowledged journal writes").register(registry);

    storage = RocksDbStorage.get(system);
    DistributionSummary batch = DistributionSummary.builder("sluice.storage.group.commit.batch")
        .description("write requests per group commit (one fsync; none for a batch of replica commit points alone)").serviceLevelObjectives(BATCH_BUCKETS).register(registry);
    Timer write = Timer.builder("sluice.storage.group.commit.write")
        .description("RocksDB write of one group commit, with its fsync when it has one").serviceLevelObjectives(FSYNC_BUCKETS)
        .register(registry);
    Counter failedBatches = Counter.builder("sluice.storage.group.commit.failures")
        .description("group commits that failed (every request in them failed)").register(registry);
    storage.groupCommitListener((requests, bytes, writeNanos, failed) -> {
      if (writeNanos >= 0) {
        // Batches that wrote (one fsync each, unless all their requests allowed none); barriers alone write nothing.
        batch.record(requests);
        write.record(writeNanos, TimeUnit.NANOSECONDS);
      }
      if (failed) failedBatches.increment();
    });

    Replication replication = Replication.get(system);
    if (replication.started()) replicationMetrics(replication.node().metrics());
    if (subscriptions != null) subscriptionMetrics(subscriptions);
  }

  /** Starts recording this node's metrics; {@link #close()} stops the JVM listeners and the storage hook. */
  public static SluiceMetrics start(ActorSystem<?> system) {
    return new SluiceMetrics(system, null);
  }

  /** As {@link #start(ActorSystem)}, with the node's subscriptions' series (null: subscriptions are off). */
  public static SluiceMetrics start(ActorSystem<?> system, Subscriptions subscriptions) {
    return new SluiceMetrics(system, subscriptions);
  }

  /** Read at scrape time from counters the entities bump once per start: nothing on the append path. */
  private void subscriptionMetrics(Subscriptions subs) {
    Gauge.builder("sluice.subscriptions.indexed", subs, Subscriptions::indexedCount)
        .description("subscriptions of the cluster in this node's match index").register(registry);
    RecoveryStats r = subs.recoveryStats();
    FunctionCounter.builder("sluice.subscriptions.recoveries", r, RecoveryStats::recoveries)
        .description("subscription entities started on this node (created, woken after a restart, or moved here)").register(registry);
    FunctionCounter.builder("sluice.subscriptions.recovery.replayed.events", r, RecoveryStats::replayedEvents)
        .description("journal events those starts replayed after their snapshots").register(registry);
    Gauge.builder("sluice.subscriptions.recovery.replayed.events.max", r, RecoveryStats::maxReplayedEvents)
        .description("the most events one start replayed since the node started (snapshot-every bounds it)").register(registry);
  }

  private void replicationMetrics(ReplicationMetrics m) {
    FunctionCounter.builder("sluice.replication.writer.opens", m, ReplicationMetrics::writerOpens)
        .description("writers opened on this node (each fences a new epoch and recovers the stream)").register(registry);
    FunctionCounter.builder("sluice.replication.fence.rounds", m, ReplicationMetrics::fenceRounds)
        .description("fence rounds sent by this node's writers (retries above a refusal included)").register(registry);
    FunctionCounter.builder("sluice.replication.recoveries", m, ReplicationMetrics::recoveries)
        .description("opens that completed: fenced, recovered, re-stamped, serving").register(registry);
    FunctionCounter.builder("sluice.replication.failed.opens", m, ReplicationMetrics::failedOpens)
        .description("opens that closed before serving").register(registry);
    for (Writer.CloseReason reason : Writer.CloseReason.values()) {
      FunctionCounter.builder("sluice.replication.writer.closes", m, x -> x.closes(reason)).tag("reason", reason.name().toLowerCase())
          .description("writers of this node that closed, by reason (fenced: a newer owner took the stream over)").register(registry);
    }
    for (int r = 0; r < Quorum.REPLICAS; r++) {
      int replica = r;
      Gauge.builder("sluice.replication.lag.entries", m, x -> x.lagEntries()[replica]).tag("replica", Integer.toString(r))
          .description("entries this node's writers hold that the replica has not acknowledged, summed over streams").register(registry);
    }
    Gauge.builder("sluice.replication.writers", m, ReplicationMetrics::activeWriters)
        .description("stream writers running on this node (streams it owns with a writer open)").register(registry);
    Gauge.builder("sluice.replication.limbo.streams", m, ReplicationMetrics::limboStreams)
        .description("streams whose replica on this node is in limbo (replaced disk, catching up)").register(registry);
  }

  /** {@code GET /metrics}: every series in Prometheus text format 0.0.4. */
  public Route route() {
    return path("metrics", () -> get(() -> extractRequest(req -> complete(
        HttpResponse.create().withEntity(HttpEntities.create(PROMETHEUS_TEXT, ByteString.fromString(registry.scrape())))))));
  }

  /**
   * {@code handler} with every request counted and timed, appends counted and live readers tracked
   * ({@link RequestMetricsStage}); materialized once per connection.
   */
  public Flow<HttpRequest, HttpResponse, NotUsed> instrument(Flow<HttpRequest, HttpResponse, NotUsed> handler) {
    return BidiFlow.fromGraph(new RequestMetricsStage(this)).join(handler);
  }

  /** A request on its way through the handler: what its response is counted under. */
  record InFlight(long startNanos, int method, boolean streamPath, Live live) {}

  /** A request enters the handler. */
  InFlight begin(HttpRequest req) {
    int method = methodIndex(req);
    boolean streamPath = req.getUri().path().startsWith(STREAM_ROOT);
    Live live = method == 0 && streamPath ? live(req) : Live.NONE;
    if (live == Live.LONG_POLL) longPollReaders.incrementAndGet();
    return new InFlight(System.nanoTime(), method, streamPath, live);
  }

  /** Its response leaves the handler: the response to send (an SSE one counts its reader while it streams). */
  HttpResponse end(InFlight req, HttpResponse resp) {
    int status = resp.status().intValue();
    int statusClass = Math.min(5, Math.max(1, status / 100));
    requestTimer(req.method(), statusClass).record(System.nanoTime() - req.startNanos(), TimeUnit.NANOSECONDS);
    if (req.method() == 2 && req.streamPath() && statusClass == 2) appendsAcknowledged.increment();
    if (req.live() == Live.LONG_POLL) longPollReaders.decrementAndGet();
    return req.live() == Live.SSE ? countWhileStreaming(resp) : resp;
  }

  /** Its connection closed before the response: no longer a waiting reader; not counted as a request. */
  void abandoned(InFlight req) {
    if (req.live() == Live.LONG_POLL) longPollReaders.decrementAndGet();
  }

  enum Live { NONE, SSE, LONG_POLL }

  private static Live live(HttpRequest req) {
    String mode = req.getUri().query().get("live").orElse(null);
    if (mode == null) return Live.NONE;
    return mode.equals("sse") ? Live.SSE : mode.equals("long-poll") ? Live.LONG_POLL : Live.NONE;
  }

  /** An SSE response counts as a live reader from when its stream starts until it ends. */
  private HttpResponse countWhileStreaming(HttpResponse resp) {
    ResponseEntity entity = resp.entity();
    if (entity.isStrict()) return resp; // refused (4xx/5xx): never streamed
    Flow<ByteString, ByteString, NotUsed> counted = Flow.of(ByteString.class).watchTermination((mat, done) -> {
      sseReaders.incrementAndGet();
      done.whenComplete((d, e) -> sseReaders.decrementAndGet());
      return mat;
    });
    // The Java API has no transformDataBytes; every entity is a Scala one, which keeps its chunking.
    var scala = (org.apache.pekko.http.scaladsl.model.ResponseEntity) entity;
    return resp.withEntity(scala.transformDataBytes(asAnyMat(counted.asScala())));
  }

  @SuppressWarnings("unchecked")
  private static org.apache.pekko.stream.scaladsl.Flow<ByteString, ByteString, Object> asAnyMat(
      org.apache.pekko.stream.scaladsl.Flow<ByteString, ByteString, ?> flow) {
    return (org.apache.pekko.stream.scaladsl.Flow<ByteString, ByteString, Object>) (Object) flow;
  }

  private Timer requestTimer(int method, int statusClass) {
    int i = method * 5 + statusClass - 1;
    Timer t = requestTimers.get(i);
    if (t == null) {
      t = Timer.builder("sluice.http.requests").tag("method", METHODS[method]).tag("status", statusClass + "xx")
          .description("HTTP requests by method and status class, until the response head")
          .serviceLevelObjectives(LATENCY_BUCKETS).register(registry);
      requestTimers.set(i, t);
    }
    return t;
  }

  private static int methodIndex(HttpRequest req) {
    var m = req.method();
    if (m == HttpMethods.GET) return 0;
    if (m == HttpMethods.HEAD) return 1;
    if (m == HttpMethods.POST) return 2;
    if (m == HttpMethods.PUT) return 3;
    if (m == HttpMethods.DELETE) return 4;
    if (m == HttpMethods.OPTIONS) return 5;
    return 6;
  }

  /** The registry (tests, and an embedding app that adds its own meters). */
  public PrometheusMeterRegistry registry() {
    return registry;
  }

  @Override
  public void close() {
    storage.groupCommitListener(null);
    gc.close();
    registry.close();
  }
}
