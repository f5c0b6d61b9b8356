package dev.sluice.server;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import dev.sluice.cluster.NodeConfig;
import java.io.File;

/**
 * Entry point of {@code bin/sluice}: flags to config, then {@link SluiceNode#start}. Prints
 * {@code SLUICE READY http://host:port} on stdout once it serves requests (scripts and tests wait
 * for that line). Exits 2 on a usage or configuration error, with a message naming the problem.
 */
public final class Main {
  private Main() {}

  public static void main(String[] argv) {
    // On a 2-core machine the JDK's common pool has parallelism 1, and CompletableFuture then runs
    // every *Async stage without an executor (some library code does) on a NEW THREAD per task.
    // That cost us 5x in append throughput; a real pool fixes it. Must run before the pool exists.
    if (System.getProperty("java.util.concurrent.ForkJoinPool.common.parallelism") == null) {
      System.setProperty("java.util.concurrent.ForkJoinPool.common.parallelism",
          String.valueOf(Math.max(4, Runtime.getRuntime().availableProcessors())));
    }
    Args.Parsed args;
    try {
      args = Args.parse(argv);
    } catch (IllegalArgumentException e) {
      System.err.println("sluice: " + e.getMessage());
      System.exit(2);
      return;
    }
    if (args.help()) {
      System.out.print(Args.usage());
      return;
    }
    Config config;
    try {
      config = buildConfig(args);
    } catch (RuntimeException e) {
      System.err.println("sluice: configuration error: " + e.getMessage());
      System.exit(2);
      return;
    }
    SluiceNode.start(config).whenComplete((node, err) -> {
      if (err != null) {
        System.err.println("sluice: failed to start: " + err);
        err.printStackTrace();
        System.exit(1);
      } else {
        System.out.println("SLUICE READY " + node.baseUrl());
        System.out.flush();
      }
    });
  }

  static Config buildConfig(Args.Parsed args) {
    Config flags = ConfigFactory.empty();
    for (var e : args.overrides().entrySet()) {
      flags = ConfigFactory.parseString(e.getKey() + " = " + e.getValue()).withFallback(flags);
    }
    if (args.seedNodes() != null) {
      flags = flags.withValue("sluice.cluster.seed-nodes", ConfigValueFactory.fromIterable(args.seedNodes()));
    }
    if (args.clusterNodes() != null) {
      flags = ClusterFlags.replicated(flags, args.clusterNodes());
    }
    if (args.configFile() != null) {
      File f = new File(args.configFile());
      if (!f.isFile()) throw new IllegalArgumentException("--config file not found: " + f);
      flags = flags.withFallback(ConfigFactory.parseFile(f));
    }
    return NodeConfig.load(flags);
  }
}
