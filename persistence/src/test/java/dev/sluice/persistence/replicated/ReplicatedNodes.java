package dev.sluice.persistence.replicated;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import dev.sluice.persistence.support.TestStorage;
import dev.sluice.replication.node.ReplicationSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * Three storage nodes in one JVM, each an ActorSystem with its own RocksDB in a temp directory, talking
 * over real Artery TCP on 127.0.0.1, each running {@link Replication}. Systems bind port 0 first; the
 * replica set is built from the ports they got. The systems share a name, as the nodes of one cluster do
 * (a replica's address is {@code pekko://<name>@host:port/system/...}).
 */
final class ReplicatedNodes implements AutoCloseable {
  static final String SYSTEM = "sluice-replicated";

  private final List<ActorSystem<?>> systems = new ArrayList<>();
  /** Whether node i's system was made (and so is stopped) here. */
  private final boolean[] owned = new boolean[3];
  private final List<Path> dirs = new ArrayList<>();
  private final List<ExecutorService> ios = new ArrayList<>();
  private final boolean[] down = new boolean[3];

  /** Node config: Artery on loopback port 0, RocksDB in {@code dir}, a short writer heartbeat. */
  static Config config(Path dir) {
    return ConfigFactory.parseString("""
            pekko.loglevel = WARNING
            pekko.actor.provider = remote
            pekko.remote.artery.canonical.hostname = 127.0.0.1
            pekko.remote.artery.canonical.port = 0
            pekko.remote.warn-about-direct-use = off
            pekko.remote.artery.advanced.outbound-restart-timeout = 1s
            pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off
            sluice.replication.nodes = ["127.0.0.1:1", "127.0.0.1:2", "127.0.0.1:3"]
            sluice.replication.writer.heartbeat = 50ms
            sluice.replication.writer.open-timeout = 10s
            sluice.replication.writer.append-timeout = 10s
            """)
        .withFallback(TestStorage.config(dir))
        .withValue("sluice.persistence.rocksdb.dir", ConfigValueFactory.fromAnyRef(dir.toString()));
  }

  static ReplicatedNodes start() {
    return start(ConfigFactory.empty());
  }

  /** Nodes whose config is {@code overrides} over {@link #config}. */
  static ReplicatedNodes start(Config overrides) {
    return start(SYSTEM, null, null, overrides);
  }

  static ReplicatedNodes start(String name, ActorSystem<?> node0, Path dir0) {
    return start(name, node0, dir0, ConfigFactory.empty());
  }

  /**
   * Starts the nodes, with {@code node0} (running in {@code dir0}, configured from {@link #config}) as
   * node 0 if given (a TCK supplies its own system); the others are made here, named {@code name}.
   */
  static ReplicatedNodes start(String name, ActorSystem<?> node0, Path dir0, Config overrides) {
    ReplicatedNodes n = new ReplicatedNodes();
    List<String> endpoints = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      boolean given = i == 0 && node0 != null;
      Path dir = given ? dir0 : TestStorage.newDir("replicated-node-" + i + "-");
      n.dirs.add(dir);
      ActorSystem<?> system = given ? node0 : ActorTestKit.create(name, overrides.withFallback(config(dir))).system();
      n.systems.add(system);
      n.owned[i] = !given;
      n.ios.add(Executors.newFixedThreadPool(2));
      endpoints.add("127.0.0.1:" + system.address().getPort().orElseThrow());
    }
    for (int i = 0; i < 3; i++) {
      ActorSystem<?> system = n.system(i);
      ReplicationSettings base = ReplicationSettings.fromConfig(system.settings().config());
      Replication.get(system).start(base.withNodes(endpoints, i));
    }
    return n;
  }

  ActorSystem<?> system(int i) {
    return systems.get(i);
  }

  /** A new replicated journal store on node {@code i} (its own writers). */
  ReplicatedJournalStore store(int i) {
    return store(i, settings(Duration.ofMinutes(2)));
  }

  ReplicatedJournalStore store(int i, ReplicatedJournalSettings settings) {
    return Replication.get(system(i)).journalStore(settings, ios.get(i));
  }

  static ReplicatedJournalSettings settings(Duration idleTimeout) {
    return new ReplicatedJournalSettings("sluice.persistence.io-dispatcher", Duration.ofSeconds(10),
        Duration.ofSeconds(20), idleTimeout);
  }

  /** Stops node {@code i}'s ActorSystem (its RocksDB closes with it), as a crashed or stopped node. */
  void terminate(int i) {
    down[i] = true;
    ActorTestKit.shutdown(system(i), Duration.ofSeconds(30));
  }

  @Override
  public void close() {
    for (int i = 0; i < systems.size(); i++) {
      if (owned[i] && !down[i]) {
        ActorTestKit.shutdown(system(i), Duration.ofSeconds(30), false);
      }
      ios.get(i).shutdownNow();
      if (owned[i]) {
        TestStorage.deleteRecursively(dirs.get(i));
      }
    }
  }
}
