package dev.sluice.embedded;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigValueFactory;
import dev.sluice.actors.api.SluiceStreams;
import dev.sluice.persistence.rocksdb.RocksDbStorage;
import dev.sluice.subscriptions.SubscriptionSettings;
import dev.sluice.subscriptions.Subscriptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;

/**
 * Sluice inside an application, from one call: an {@link ActorSystem} that is a single-node Pekko
 * cluster with Sluice's node settings, RocksDB storage in a directory of the application's choice,
 * and the {@link SluiceStreams} API over it. {@link #close} (or {@link #shutdown}) stops it through
 * {@link CoordinatedShutdown}; live tails complete, and the data stays in the directory for the next
 * start.
 *
 * <pre>{@code
 * try (SluiceEmbedded sluice = SluiceEmbedded.start("my-app", Path.of("streams-data"))) {
 *   sluice.streams().create("agents/session-1", "application/json") ...
 * }
 * }</pre>
 *
 * <p>Configuration, highest first: JVM system properties, the {@code settings} given to
 * {@link #start(String, Config)}, the application's {@code application.conf}, Sluice's node
 * settings ({@value #NODE_SETTINGS}), then every library's {@code reference.conf}.
 */
public final class SluiceEmbedded implements AutoCloseable {
  /** The classpath resource with Sluice's {@code pekko.*} node settings (module sluice-cluster-config). */
  public static final String NODE_SETTINGS = "sluice/cluster.conf";

  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);

  private final ActorSystem<Void> system;
  private final SluiceStreams streams;
  private final Subscriptions subscriptions;

  private SluiceEmbedded(ActorSystem<Void> system, SluiceStreams streams, Subscriptions subscriptions) {
    this.system = system;
    this.streams = streams;
    this.subscriptions = subscriptions;
  }

  /** Starts Sluice with its data in {@code dataDir} (created if missing; one running node per directory). */
  public static SluiceEmbedded start(String systemName, Path dataDir) {
    return start(systemName, ConfigFactory.empty()
        .withValue("sluice.persistence.rocksdb.dir", ConfigValueFactory.fromAnyRef(dataDir.toString())));
  }

  /**
   * Starts Sluice with {@code settings} over its defaults (for example
   * {@code sluice.persistence.rocksdb.dir}, or any {@code pekko.*} key).
   *
   * @throws IllegalStateException if the node settings are missing or the configuration cannot run
   *     Sluice; nothing is left running when {@code start} throws
   */
  public static SluiceEmbedded start(String systemName, Config settings) {
    Config config = nodeConfig(settings);
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), systemName, config);
    try {
      Cluster cluster = Cluster.get(system);
      cluster.manager().tell(Join.create(cluster.selfMember().address()));
      RocksDbStorage storage = RocksDbStorage.get(system);
      SluiceStreams streams = SluiceStreams.start(system, storage.dataStore());
      // No HTTP server here: plain-http webhooks to localhost only if the application turns them on.
      var subSettings = SubscriptionSettings.fromConfig(config, "");
      Subscriptions subscriptions = subSettings.enabled() ? Subscriptions.start(system, streams, subSettings,
          Subscriptions.StreamCatalog.ofPersistenceIds(storage::persistenceIds)) : null;
      return new SluiceEmbedded(system, streams, subscriptions);
    } catch (RuntimeException | Error e) {
      // The system's threads would keep the JVM alive after the caller's main method has failed.
      system.terminate();
      try {
        system.getWhenTerminated().toCompletableFuture().get(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
      } catch (ExecutionException | TimeoutException ignored) {
        // Reported below: the start failure is what the caller needs to see.
      }
      throw e;
    }
  }

  /**
   * The full configuration {@link #start(String, Config)} runs with: system properties, then
   * {@code settings}, then {@code application.conf}, then {@value #NODE_SETTINGS}, then the
   * reference configurations, resolved.
   *
   * @throws IllegalStateException if {@value #NODE_SETTINGS} is not on the classpath (it comes with
   *     sluice-embedded), or the result is not a cluster node ({@code pekko.actor.provider})
   */
  public static Config nodeConfig(Config settings) {
    return nodeConfig(settings, SluiceEmbedded.class.getClassLoader());
  }

  static Config nodeConfig(Config settings, ClassLoader loader) {
    if (loader.getResource(NODE_SETTINGS) == null) {
      throw new IllegalStateException("Sluice's node settings (" + NODE_SETTINGS + ") are not on the classpath:"
          + " depend on dev.sluice:sluice-embedded, which brings them (module sluice-cluster-config)");
    }
    Config config = ConfigFactory.defaultOverrides(loader)
        .withFallback(settings)
        .withFallback(ConfigFactory.defaultApplication(loader))
        .withFallback(ConfigFactory.parseResources(loader, NODE_SETTINGS, ConfigParseOptions.defaults().setAllowMissing(false)))
        .withFallback(ConfigFactory.defaultReference(loader))
        .resolve();
    String provider = config.getString("pekko.actor.provider");
    if (!provider.equals("cluster") && !provider.equals("org.apache.pekko.cluster.ClusterActorRefProvider")) {
      throw new IllegalStateException("pekko.actor.provider is '" + provider + "', but Sluice's streams run on a cluster"
          + " node: remove that setting (" + NODE_SETTINGS + " sets it to 'cluster')");
    }
    return config;
  }

  /** The streams API: create, append, read, tail, close, fork, delete. */
  public SluiceStreams streams() {
    return streams;
  }

  /**
   * Subscriptions (README "Subscriptions"): wakes when any stream of a pattern or list changes, as a
   * {@code Source} ({@link Subscriptions#subscribe}, {@link Subscriptions#wakes}); null when
   * {@code sluice.subscriptions.enabled} is off.
   */
  public Subscriptions subscriptions() {
    return subscriptions;
  }

  /** The actor system Sluice runs in (to run a tail's {@code Source}, or the application's own actors). */
  public ActorSystem<Void> system() {
    return system;
  }

  /** Stops Sluice through {@link CoordinatedShutdown}: live tails complete, the storage closes, the system terminates. */
  public CompletionStage<Done> shutdown() {
    return CoordinatedShutdown.get(system).runAll(CoordinatedShutdown.unknownReason());
  }

  /**
   * {@link #shutdown} and waits (up to 60 s) until the actor system has terminated.
   *
   * @throws IllegalStateException if it did not terminate in time
   */
  @Override
  public void close() {
    shutdown();
    try {
      system.getWhenTerminated().toCompletableFuture().get(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while stopping Sluice", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("Sluice's actor system did not terminate within " + STOP_TIMEOUT.toSeconds() + " s", e);
    }
  }
}
