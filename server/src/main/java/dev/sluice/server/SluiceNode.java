package dev.sluice.server;

import com.typesafe.config.Config;
import dev.sluice.actors.api.ActorsSettings;
import dev.sluice.actors.api.SluiceStreams;
import dev.sluice.cluster.ClusterSettings;
import dev.sluice.cluster.NodeConfig;
import dev.sluice.http.EdgeBinding;
import dev.sluice.http.HttpSettings;
import dev.sluice.http.RequestHeadTimeout;
import dev.sluice.http.StreamRoutes;
import dev.sluice.http.SubscriptionRoutes;
import dev.sluice.persistence.replicated.ReplicatedJournalSettings;
import dev.sluice.persistence.replicated.Replication;
import dev.sluice.persistence.rocksdb.RocksDbSettings;
import dev.sluice.persistence.rocksdb.RocksDbStorage;
import dev.sluice.replication.node.ReplicationSettings;
import dev.sluice.server.ops.AdminRoutes;
import dev.sluice.server.ops.OpsSettings;
import dev.sluice.server.ops.QuorumGatedGateway;
import dev.sluice.server.ops.Readiness;
import dev.sluice.server.ops.SluiceMetrics;
import dev.sluice.server.ops.StreamInspector;
import dev.sluice.subscriptions.SubscriptionSettings;
import dev.sluice.subscriptions.Subscriptions;
import java.time.Duration;
import java.time.InstantSource;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.settings.ServerSettings;
import org.apache.pekko.management.javadsl.PekkoManagement;
import org.apache.pekko.persistence.Persistence;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running Sluice node: the actor system (a cluster member, self-joined when it has no seed
 * nodes), the sharded streams on the RocksDB journal, the HTTP server (streams, {@code /health},
 * {@code /metrics}, {@code /admin/...}) and pekko-management's server ({@code /alive}, {@code /ready},
 * {@code /cluster/members}; README "Operating"). Shutdown goes through {@link CoordinatedShutdown}:
 * readiness turns false at once, then the node stops accepting, drains requests and leaves the cluster.
 */
public final class SluiceNode {
  private static final Logger log = LoggerFactory.getLogger(SluiceNode.class);

  private final ActorSystem<Void> system;
  private final EdgeBinding binding;
  private final SluiceStreams streams;
  private final String managementUrl;
  private final SluiceMetrics metrics;
  private final Subscriptions subscriptions;

  private SluiceNode(ActorSystem<Void> system, EdgeBinding binding, SluiceStreams streams, String managementUrl,
                     SluiceMetrics metrics, Subscriptions subscriptions) {
    this.subscriptions = subscriptions;
    this.system = system;
    this.binding = binding;
    this.streams = streams;
    this.managementUrl = managementUrl;
    this.metrics = metrics;
  }

  /**
   * Reads every setting of a node, so that a bad value fails here, naming its key, before anything
   * starts (some are otherwise read only once the actor system runs).
   *
   * @throws com.typesafe.config.ConfigException for a value of the wrong type
   * @throws IllegalArgumentException for a value out of range
   */
  public static void checkSettings(Config nodeConfig) {
    HttpSettings.fromConfig(nodeConfig);
    SubscriptionSettings.fromConfig(nodeConfig, HttpSettings.fromConfig(nodeConfig).host());
    ClusterSettings.fromConfig(nodeConfig);
    OpsSettings.fromConfig(nodeConfig);
    RocksDbSettings.fromConfig(nodeConfig);
    ActorsSettings.fromConfig(nodeConfig);
    ShutdownSettings.fromConfig(nodeConfig);
    nodeConfig.getBoolean("sluice.access-log.enabled");
    if (ClusterSettings.replicated(nodeConfig)) {
      ReplicationSettings.fromConfig(nodeConfig);
      String journal = "sluice.persistence.replicated-journal";
      ReplicatedJournalSettings.fromConfig(nodeConfig.getConfig(journal), journal);
    }
  }

  /** Starts a node; {@link #checkSettings} throws at once, anything later fails the returned stage. */
  public static CompletionStage<SluiceNode> start(Config nodeConfig) {
    checkSettings(nodeConfig);
    HttpSettings http = HttpSettings.fromConfig(nodeConfig);
    ClusterSettings clusterSettings = ClusterSettings.fromConfig(nodeConfig);
    OpsSettings ops = OpsSettings.fromConfig(nodeConfig);
    ShutdownSettings shutdown = ShutdownSettings.fromConfig(nodeConfig);
    Config config = shutdown.applyTo(ops.applyTo(nodeConfig, http.host()));
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), NodeConfig.SYSTEM_NAME, config);
    try {
      if (config.getBoolean("pekko.coordinated-shutdown.exit-jvm")) ShutdownBound.install(system, shutdown.timeout());
      var cluster = Cluster.get(system);
      if (clusterSettings.singleNode()) cluster.manager().tell(Join.create(cluster.selfMember().address()));
      var storage = RocksDbStorage.get(system);
      // Loading Persistence starts the journal plugin (auto-start-journals) now, not with the first
      // request: its first write does not pay for it, and a plugin that cannot start shows at boot.
      Persistence.get(system.classicSystem());
      if (ClusterSettings.replicated(config)) {
        // This node's replica must serve the other nodes' writers from boot, not only once one of
        // its own entities first persists.
        Replication.get(system);
        // Joins the running cluster or forms one with a majority; never a cluster of its own.
        ClusterFormation.start(system, config.getStringList("sluice.replication.nodes"),
            config.getInt("sluice.replication.node-ordinal"), ClusterSettings.formationEnabled(config));
        // A killed or crashed peer is downed within a few hundred milliseconds, not seconds.
        CrashedPeerDowning.start(system, config, config.getString("sluice.actors.blocking-io-dispatcher"));
      }
      var streams = SluiceStreams.start(system, storage.dataStore());
      var subSettings = SubscriptionSettings.fromConfig(config, http.host());
      // On a replicated cluster too: every node keeps every subscription's definition (README "Subscriptions").
      Subscriptions subscriptions = subSettings.enabled()
          ? Subscriptions.start(system, streams, subSettings, Subscriptions.StreamCatalog.ofPersistenceIds(storage::persistenceIds))
          : null;
      Route reserved = subscriptions != null ? new SubscriptionRoutes(subscriptions).route() : Directives.reject();
      var readiness = Readiness.get(system);
      StreamInspector.start(system, storage.dataStore(), system.settings().config().getString("sluice.actors.blocking-io-dispatcher"));
      SluiceMetrics metrics = ops.metricsEnabled() ? SluiceMetrics.start(system, subscriptions) : null;
      // Without a replica quorum, writes get their 503 at once instead of after the ask timeout.
      var gated = new QuorumGatedGateway(streams.gateway(), readiness::quorumProblem);
      if (ClusterSettings.replicated(config)) {
        system.scheduler().scheduleWithFixedDelay(Duration.ofMillis(100), Duration.ofMillis(100), gated::recheck,
            system.executionContext());
      }
      Route routes = Directives.concat(AdminRoutes.create(system, streams.gateway()),
          metrics != null ? metrics.route() : Directives.reject(),
          StreamRoutes.create(gated, http, InstantSource.system(), readiness::problems, reserved));
      var route = config.getBoolean("sluice.access-log.enabled") ? AccessLog.around(routes) : routes;
      if (metrics != null) system.getWhenTerminated().whenComplete((d, e) -> metrics.close());
      var connections = ConnectionLimit.derive(http.maxConnections(), http.fdReserve(), ConnectionLimit.processFdLimit());
      if (connections.lowFdLimit()) log.warn("low file-descriptor limit: {}", connections.describe());
      else log.info("Serving {}", connections.describe());
      var serverSettings = ServerSettings.create(system.classicSystem()).withMaxConnections(connections.connections());
      // Materialized once per connection: each gets its own request-head timer.
      var drain = new ConnectionDrain();
      // Metrics on the connection's stream, not as a route directive: no extra future per request.
      var served = metrics != null ? metrics.instrument(route.flow(system)) : route.flow(system);
      var handler = drain.around(RequestHeadTimeout.around(served, http.requestHeadTimeout()));
      // EdgeBinding, not Http.newServerAt: a guard on each connection's bytes answers what Pekko would 500.
      return EdgeBinding.bind(system, http.host(), http.port(), serverSettings, handler)
          .thenCompose(binding -> startManagement(system, ops).thenApply(mgmt -> {
        // SluiceStreams.start registered the release of live readers in the same phase (service-unbind):
        // a long-poll whose client left would otherwise hold "service-requests-done" until its timeout.
        addHttpShutdown(system, binding, drain, shutdown);
        log.info("Sluice node serving http://{}:{} (cluster {}; data {}; management {})", http.host(),
            binding.localAddress().getPort(), cluster.selfMember().address(), config.getString("sluice.persistence.rocksdb.dir"),
            mgmt != null ? mgmt : ops.managementEnabled() ? "not started, see the error above" : "off");
        return new SluiceNode(system, binding, streams, mgmt, metrics, subscriptions);
      })).whenComplete((n, err) -> {
        if (err != null) system.terminate();
      });
    } catch (RuntimeException e) {
      system.terminate();
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * Stops the HTTP server without resetting a client (README "Shutdown"): stop accepting and start
   * the drain together with the release of live readers; then wait for the connections to close,
   * and only then cut what is still busy after the drain timeout.
   */
  private static void addHttpShutdown(ActorSystem<?> system, EdgeBinding binding, ConnectionDrain drain, ShutdownSettings shutdown) {
    var cs = CoordinatedShutdown.get(system);
    cs.addTask(CoordinatedShutdown.PhaseServiceUnbind(), "sluice-http-unbind", () -> {
      drain.begin();
      return binding.unbind();
    });
    cs.addTask(CoordinatedShutdown.PhaseServiceRequestsDone(), "sluice-http-drain", () ->
        drain.awaitClosed(shutdown.drainTimeout()).thenCompose(left -> {
          if (left > 0) log.warn("{} HTTP connection(s) still busy after sluice.shutdown.drain-timeout ({}); closing them", left, shutdown.drainTimeout());
          return binding.terminate(ShutdownSettings.CUT_CONNECTIONS);
        }));
  }

  /**
   * pekko-management's HTTP server ({@code /alive}, {@code /ready}, {@code /cluster/members}); null
   * when it is off or its derived port could not be bound. A configured port that cannot be bound
   * fails the start instead.
   */
  private static CompletionStage<String> startManagement(ActorSystem<?> system, OpsSettings ops) {
    if (!ops.managementEnabled()) return CompletableFuture.completedFuture(null);
    return PekkoManagement.get(system).start().handle((uri, err) -> {
      if (err == null) return CompletableFuture.completedFuture(uri.toString());
      if (ops.portDerived()) {
        log.error("Management HTTP server (/alive, /ready) not started: port {} (HTTP port + {}) could not be bound ({});"
            + " serving without it. Set --management-port (sluice.management.port) to choose another port", ops.managementPort(),
            OpsSettings.PORT_OFFSET, err.getMessage());
        return CompletableFuture.<String>completedFuture(null);
      }
      return CompletableFuture.<String>failedFuture(err);
    }).thenCompose(f -> f);
  }

  public String baseUrl() {
    var a = binding.localAddress();
    return "http://" + a.getHostString() + ":" + a.getPort();
  }

  public int port() {
    return binding.localAddress().getPort();
  }

  public SluiceStreams streams() {
    return streams;
  }

  /** The node's subscriptions (checklist §15), or null when {@code sluice.subscriptions.enabled} is off. */
  public Subscriptions subscriptions() {
    return subscriptions;
  }

  /** pekko-management's base URL ({@code /alive}, {@code /ready}, ...), or null when it is not served. */
  public String managementUrl() {
    return managementUrl;
  }

  /** The node's metrics, or null when {@code sluice.metrics.enabled} is off. */
  public SluiceMetrics metrics() {
    return metrics;
  }

  public ActorSystem<Void> system() {
    return system;
  }

  /** Graceful stop through CoordinatedShutdown (the same path as SIGTERM). */
  public CompletionStage<Done> stop() {
    return CoordinatedShutdown.get(system).runAll(CoordinatedShutdown.unknownReason());
  }
}
