package dev.sluice.server;

import com.typesafe.config.Config;
import dev.sluice.actors.api.SluiceStreams;
import dev.sluice.cluster.ClusterSettings;
import dev.sluice.cluster.NodeConfig;
import dev.sluice.http.HttpSettings;
import dev.sluice.http.RequestHeadTimeout;
import dev.sluice.http.StreamRoutes;
import dev.sluice.persistence.replicated.Replication;
import dev.sluice.persistence.rocksdb.RocksDbStorage;
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
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.settings.ServerSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running Sluice node: the actor system (a cluster member, self-joined when it has no seed
 * nodes), the sharded streams on the RocksDB journal, and the HTTP server. Shutdown goes through
 * {@link CoordinatedShutdown}: stop accepting, drain requests, then leave the cluster.
 */
public final class SluiceNode {
  private static final Logger log = LoggerFactory.getLogger(SluiceNode.class);

  private final ActorSystem<Void> system;
  private final ServerBinding binding;
  private final SluiceStreams streams;

  private SluiceNode(ActorSystem<Void> system, ServerBinding binding, SluiceStreams streams) {
    this.system = system;
    this.binding = binding;
    this.streams = streams;
  }

  public static CompletionStage<SluiceNode> start(Config config) {
    HttpSettings http = HttpSettings.fromConfig(config);
    ClusterSettings clusterSettings = ClusterSettings.fromConfig(config);
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), NodeConfig.SYSTEM_NAME, config);
    try {
      var cluster = Cluster.get(system);
      if (clusterSettings.singleNode()) cluster.manager().tell(Join.create(cluster.selfMember().address()));
      var storage = RocksDbStorage.get(system);
      if (ClusterSettings.replicated(config)) {
        // This node's replica must serve the other nodes' writers from boot, not only once one of
        // its own entities first persists.
        Replication.get(system);
        // Joins the running cluster or forms one with a majority; never a cluster of its own.
        ClusterFormation.start(system, config.getStringList("sluice.replication.nodes"),
            config.getInt("sluice.replication.node-ordinal"));
      }
      var streams = SluiceStreams.start(system, storage.dataStore());
      var route = Directives.concat(AdminRoutes.create(system),
          StreamRoutes.create(streams.gateway(), http, InstantSource.system()));
      var connections = ConnectionLimit.derive(http.maxConnections(), http.fdReserve(), ConnectionLimit.processFdLimit());
      if (connections.lowFdLimit()) log.warn("low file-descriptor limit: {}", connections.describe());
      else log.info("Serving {}", connections.describe());
      var serverSettings = ServerSettings.create(system.classicSystem()).withMaxConnections(connections.connections());
      // Materialized once per connection: each gets its own request-head timer.
      var handler = RequestHeadTimeout.around(route.flow(system), http.requestHeadTimeout());
      return Http.get(system).newServerAt(http.host(), http.port()).withSettings(serverSettings).bindFlow(handler)
          .thenApply(binding -> {
        binding.addToCoordinatedShutdown(Duration.ofSeconds(10), system);
        // Release live readers first: a long-poll whose client left would otherwise hold
        // "service-requests-done" until its timeout.
        CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseServiceUnbind(), "sluice-release-live-readers", () -> {
          streams.hub().shutdown();
          return CompletableFuture.completedFuture(Done.getInstance());
        });
        log.info("Sluice node serving http://{}:{} (cluster {}; data {})", http.host(), binding.localAddress().getPort(),
            cluster.selfMember().address(), config.getString("sluice.persistence.rocksdb.dir"));
        return new SluiceNode(system, binding, streams);
      }).whenComplete((n, err) -> {
        if (err != null) system.terminate();
      });
    } catch (RuntimeException e) {
      system.terminate();
      return CompletableFuture.failedFuture(e);
    }
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

  public ActorSystem<Void> system() {
    return system;
  }

  /** Graceful stop through CoordinatedShutdown (the same path as SIGTERM). */
  public CompletionStage<Done> stop() {
    return CoordinatedShutdown.get(system).runAll(CoordinatedShutdown.unknownReason());
  }
}
