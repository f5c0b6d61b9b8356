package dev.sluice.server;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import dev.sluice.cluster.NodeConfig;
import dev.sluice.cluster.SluiceVersion;
import java.io.File;
import java.io.PrintStream;
import java.util.concurrent.CompletionException;

/**
 * Entry point of {@code bin/sluice}: flags to config, then {@link SluiceNode#start}. Prints
 * {@code SLUICE READY http://host:port} on stdout once it serves requests (scripts and tests wait
 * for that line). Every flag and setting is checked before anything starts: a bad one exits with
 * status 2 and one line on stderr naming it ({@code sluice: ...}), never a stack trace.
 */
public final class Main {
  /** Exit status of a usage or configuration error. */
  static final int USAGE = 2;
  /** Exit status when a valid configuration still cannot start (port taken, data directory locked, ...). */
  static final int START_FAILED = 1;

  private Main() {}

  /** What {@link #prepare} decided: exit now with a status, or start a node with this config. */
  sealed interface Outcome permits Exit, Start {}

  record Exit(int status) implements Outcome {}

  record Start(Config config) implements Outcome {}

  public static void main(String[] argv) {
    // On a 2-core machine the JDK's common pool has parallelism 1, and CompletableFuture then runs
    // every *Async stage without an executor (some library code does) on a NEW THREAD per task.
    // That cost us 5x in append throughput; a real pool fixes it. Must run before the pool exists.
    if (System.getProperty("java.util.concurrent.ForkJoinPool.common.parallelism") == null) {
      System.setProperty("java.util.concurrent.ForkJoinPool.common.parallelism",
          String.valueOf(Math.max(4, Runtime.getRuntime().availableProcessors())));
    }
    // Checked before the first logger exists: logback.xml includes sluice/logback-<format>.xml, and
    // an unknown format would silently leave the node without any log output.
    String logFormat = System.getProperty("SLUICE_LOG_FORMAT", System.getenv("SLUICE_LOG_FORMAT"));
    if (logFormat != null && !logFormat.equals("text") && !logFormat.equals("json")) {
      System.err.println("sluice: SLUICE_LOG_FORMAT: expected text or json, got '" + logFormat + "'");
      System.exit(USAGE);
    }
    Outcome outcome = prepare(argv, System.out, System.err);
    if (outcome instanceof Exit exit) {
      System.out.flush();
      System.exit(exit.status());
      return;
    }
    Config config = ((Start) outcome).config();
    // Waited for HERE, on the main thread: System.exit from a callback would run on one of the actor
    // system's own threads, and the exit's shutdown hook (CoordinatedShutdown) then waits for the
    // actor system to terminate, which waits for that thread: the exit hung for the 10 s
    // actor-system-terminate timeout on every failed start.
    try {
      SluiceNode node;
      try {
        node = SluiceNode.start(config).toCompletableFuture().join();
      } catch (CompletionException | java.util.concurrent.CancellationException err) {
        Throwable cause = err.getCause() != null ? err.getCause() : err;
        String known = StartFailures.describe(cause, config.getString("sluice.persistence.rocksdb.dir"));
        // A cause an operator can act on gets one line; anything else is a bug report: keep the trace.
        System.err.println("sluice: failed to start: " + (known != null ? known : StartFailures.unknown(cause)));
        if (known == null) cause.printStackTrace();
        System.exit(START_FAILED);
        return;
      }
      System.out.println("SLUICE READY " + node.baseUrl());
      System.out.flush();
    } catch (ConfigException e) {
      // A pekko.* value the actor system refused when it was created.
      System.err.println("sluice: configuration error: " + ConfigErrors.describe(e, config));
      System.exit(USAGE);
    }
  }

  /**
   * Parses and checks the command line and the whole configuration (flags, {@code --config} file,
   * system properties, defaults), writing help, the version or one error line. Starts nothing.
   */
  static Outcome prepare(String[] argv, PrintStream out, PrintStream err) {
    Args.Parsed args;
    try {
      args = Args.parse(argv);
    } catch (IllegalArgumentException e) {
      err.println("sluice: " + ConfigErrors.oneLine(e.getMessage()));
      return new Exit(USAGE);
    }
    if (args.help()) {
      out.print(Args.usage());
      return new Exit(0);
    }
    if (args.version()) {
      out.println("sluice " + SluiceVersion.get());
      return new Exit(0);
    }
    Config config = null;
    try {
      config = buildConfig(args);
      SluiceNode.checkSettings(config);
      return new Start(config);
    } catch (ConfigException | IllegalArgumentException e) {
      String message = ConfigErrors.describe(e, config);
      // Errors of flags that only show in combination (--cluster-nodes) already name the flag.
      err.println("sluice: " + (message.startsWith("--") ? "" : "configuration error: ") + message);
      return new Exit(USAGE);
    }
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
      if (!f.isFile()) throw new IllegalArgumentException("--config: no readable file '" + f + "'");
      flags = flags.withFallback(ConfigFactory.parseFile(f));
    }
    return NodeConfig.load(flags);
  }
}
