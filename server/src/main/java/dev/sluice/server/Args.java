package dev.sluice.server;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Command-line flags of {@code bin/sluice}, each a shorthand for one HOCON key. Pure: turns
 * arguments into config overrides or a usage error with a message naming the bad flag.
 */
public final class Args {
  /** A flag, the HOCON key it sets, and its help text. */
  record Flag(String name, String key, String help, boolean quoted) {}

  static final List<Flag> FLAGS = List.of(
      new Flag("--port", "sluice.http.port", "HTTP port (default 4437)", false),
      new Flag("--host", "sluice.http.host", "HTTP bind address (default 127.0.0.1)", true),
      new Flag("--data-dir", "sluice.persistence.rocksdb.dir", "RocksDB directory (default ./data)", true),
      new Flag("--long-poll-timeout", "sluice.http.long-poll-timeout", "long-poll wait, e.g. 500ms or 30s (default 30s)", false),
      new Flag("--sse-cycle", "sluice.http.sse-cycle", "close SSE connections after this long (default 60s)", false),
      new Flag("--max-append-bytes", "sluice.http.max-append-bytes", "largest POST/PUT body, e.g. 64MiB (413 above)", false),
      new Flag("--cluster-host", "sluice.cluster.host", "Artery (cluster) bind address (default 127.0.0.1)", true),
      new Flag("--cluster-port", "sluice.cluster.port", "Artery (cluster) port, 0 = any (default 0)", false),
      new Flag("--fsync", "sluice.persistence.rocksdb.sync", "on|off: fsync before acknowledging (default on; off loses acked data on power loss)", false),
      new Flag("--node-ordinal", "sluice.replication.node-ordinal", "this node's index (0, 1 or 2) in --cluster-nodes", false),
      new Flag("--management-port", "sluice.management.port",
          "port of /alive, /ready, /cluster/members; 0 = any, off = none (default HTTP port + 1000)", false));

  /** Parsed arguments: HOCON overrides, an optional extra config file, or a request for help. */
  public record Parsed(Map<String, String> overrides, String configFile, List<String> seedNodes, List<String> clusterNodes,
                       boolean help) {
    public Parsed(Map<String, String> overrides, String configFile, List<String> seedNodes, boolean help) {
      this(overrides, configFile, seedNodes, null, help);
    }
  }

  private Args() {}

  public static Parsed parse(String[] args) {
    var overrides = new LinkedHashMap<String, String>();
    String configFile = null;
    List<String> seeds = null;
    List<String> clusterNodes = null;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--help") || a.equals("-h")) return new Parsed(Map.of(), null, null, true);
      String value;
      String name = a;
      int eq = a.indexOf('=');
      if (a.startsWith("--") && eq > 0) {
        name = a.substring(0, eq);
        value = a.substring(eq + 1);
      } else {
        if (i + 1 >= args.length) throw new IllegalArgumentException("missing value for " + a + " (see --help)");
        value = args[++i];
      }
      if (name.equals("--config")) {
        configFile = value;
        continue;
      }
      if (name.equals("--cluster-nodes")) {
        clusterNodes = List.of(value.split(","));
        continue;
      }
      if (name.equals("--seed-nodes")) {
        seeds = value.isBlank() ? List.of() : List.of(value.split(","));
        continue;
      }
      if (name.equals("--management-port") && value.equals("off")) {
        overrides.put("sluice.management.enabled", "off");
        continue;
      }
      final String flagName = name;
      Flag flag = FLAGS.stream().filter(f -> f.name().equals(flagName)).findFirst()
          .orElseThrow(() -> new IllegalArgumentException("unknown option " + flagName + " (see --help)"));
      overrides.put(flag.key(), flag.quoted() ? quote(value) : value);
    }
    return new Parsed(overrides, configFile, seeds, clusterNodes, false);
  }

  static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  public static String usage() {
    var sb = new StringBuilder("Usage: bin/sluice [options]\n\nRuns a Sluice node (Durable Streams server).\n\nOptions:\n");
    for (Flag f : FLAGS) sb.append(String.format("  %-22s %s  [%s]%n", f.name() + " V", f.help(), f.key()));
    sb.append(String.format("  %-22s %s%n", "--cluster-nodes H:P,H:P,H:P",
        "the 3 nodes of a replicated cluster (Artery host:port, in ordinal order); with --node-ordinal"));
    sb.append(String.format("  %-22s %s%n", "--config FILE", "extra HOCON file (overrides defaults, below the flags)"));
    sb.append(String.format("  %-22s %s%n", "--help", "this text"));
    sb.append("\nAny HOCON key can also be set with -Dkey=value (JVM option, via SLUICE_JAVA_OPTS).\n");
    return sb.toString();
  }
}
