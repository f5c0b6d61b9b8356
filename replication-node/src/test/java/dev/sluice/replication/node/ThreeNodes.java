package dev.sluice.replication.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;

/**
 * Three storage nodes in one JVM: three actor systems talking over real Artery TCP on 127.0.0.1 (no
 * cluster needed: the replica set is static), each with a {@link ReplicationNode} over an
 * {@link InMemoryReplicaStore}. Systems bind port 0 first; the node list is built from the ports they got.
 */
final class ThreeNodes implements AutoCloseable {
  static final String SYSTEM = "sluice-repl";

  final List<ActorTestKit> kits = new ArrayList<>();
  final List<InMemoryReplicaStore> stores = new ArrayList<>();
  final List<ReplicationNode> nodes = new ArrayList<>();
  private final boolean[] down = new boolean[3];

  static Config config() {
    return ConfigFactory.parseString("""
        pekko.loglevel = WARNING
        pekko.actor.provider = remote
        pekko.actor.serialize-messages = on
        pekko.remote.artery.canonical.hostname = 127.0.0.1
        pekko.remote.artery.canonical.port = 0
        pekko.remote.warn-about-direct-use = off
        pekko.remote.artery.advanced.outbound-restart-timeout = 1s
        sluice.replication.nodes = ["127.0.0.1:1", "127.0.0.1:2", "127.0.0.1:3"]
        sluice.replication.writer.append-timeout = 20s
        sluice.replication.writer.open-timeout = 10s
        sluice.replication.writer.heartbeat = 50ms
        """).withFallback(ConfigFactory.load());
  }

  static ThreeNodes start() {
    ThreeNodes t = new ThreeNodes();
    List<String> endpoints = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ActorTestKit kit = ActorTestKit.create(SYSTEM, config());
      t.kits.add(kit);
      endpoints.add("127.0.0.1:" + kit.system().address().getPort().orElseThrow());
      t.stores.add(new InMemoryReplicaStore(i));
    }
    ReplicationSettings base = ReplicationSettings.fromConfig(t.kits.get(0).system().settings().config());
    for (int i = 0; i < 3; i++) {
      t.nodes.add(ReplicationNode.start(t.kits.get(i).system(), base.withNodes(endpoints, i), t.stores.get(i)));
    }
    return t;
  }

  ReplicationNode node(int i) {
    return nodes.get(i);
  }

  InMemoryReplicaStore store(int i) {
    return stores.get(i);
  }

  void terminate(int i) {
    down[i] = true;
    ActorTestKit.shutdown(kits.get(i).system(), Duration.ofSeconds(20));
  }

  @Override
  public void close() {
    for (int i = 0; i < 3; i++) {
      if (!down[i]) ActorTestKit.shutdown(kits.get(i).system(), Duration.ofSeconds(20), false);
      stores.get(i).close();
    }
  }

  /** Polls {@code condition} until it holds or {@code within} passes (no fixed sleeps). */
  static void await(String what, Duration within, BooleanSupplier condition) {
    awaitValue(what, within, () -> condition.getAsBoolean() ? Boolean.TRUE : null);
  }

  static <T> T awaitValue(String what, Duration within, Supplier<T> probe) {
    long deadline = System.nanoTime() + within.toNanos();
    while (true) {
      T v = probe.get();
      if (v != null) return v;
      if (System.nanoTime() > deadline) throw new AssertionError("timed out after " + within + " waiting for: " + what);
      Thread.onSpinWait();
      java.util.concurrent.locks.LockSupport.parkNanos(5_000_000);
    }
  }
}
