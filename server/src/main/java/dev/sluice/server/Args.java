package dev.sluice.server;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.io.File;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Command-line flags of {@code bin/sluice}, each a shorthand for one HOCON key. Pure: turns
 * arguments into config overrides, or a {@link UsageException} whose one-line message names the bad
 * flag and what it accepts. Every value is checked here, before anything starts.
 */
public final class Args {
  /** A bad command line: the message names the flag and what it accepts. Exit status 2. */
  public static final class UsageException extends IllegalArgumentException {
    UsageException(String message) {
      super(message);
    }
  }

  /** What a flag's value must be; {@link #what} appears in messages and in {@code --help}. */
  enum Kind {
    PORT("a port number 0..65535"),
    HOST("a host name or IP address"),
    PATH("a directory path"),
    DURATION("a duration > 0 such as 500ms, 30s or 2m"),
    SIZE("a size > 0 such as 65536, 512KiB or 64MiB"),
    ON_OFF("on or off"),
    ORDINAL("0, 1 or 2"),
    MANAGEMENT_PORT("a port number 0..65535, -1 (HTTP port + 1000) or off");

    final String what;

    Kind(String what) {
      this.what = what;
    }

    /** {@code value} as a HOCON value, or null when it is not of this kind. */
    String hocon(String value) {
      return switch (this) {
        case PORT -> port(value);
        case MANAGEMENT_PORT -> value.equals("off") || value.equals("-1") ? value : port(value);
        case ORDINAL -> value.matches("[0-2]") ? value : null;
        case HOST -> value.isBlank() || !value.strip().equals(value) || value.matches(".*[\\s,/].*") ? null : quote(value);
        case PATH -> value.isBlank() ? null : quote(value);
        case ON_OFF -> switch (value) {
          case "on", "true", "yes" -> "on";
          case "off", "false", "no" -> "off";
          default -> null;
        };
        case DURATION -> {
          try {
            Duration d = ConfigFactory.parseMap(Map.of("v", value)).getDuration("v");
            yield d.isZero() || d.isNegative() ? null : quote(value);
          } catch (ConfigException e) {
            yield null;
          }
        }
        case SIZE -> {
          try {
            yield ConfigFactory.parseMap(Map.of("v", value)).getBytes("v") > 0 ? quote(value) : null;
          } catch (ConfigException e) {
            yield null;
          }
        }
      };
    }

    private static String port(String value) {
      if (!value.matches("\\d{1,5}")) return null;
      return Integer.parseInt(value) <= 65535 ? value : null;
    }
  }

  /** A flag, the HOCON key it sets, its help text and the kind of value it takes. */
  record Flag(String name, String key, String help, Kind kind) {}

  static final List<Flag> FLAGS = List.of(
      new Flag("--port", "sluice.http.port", "HTTP port, 0 = any (default 4437)", Kind.PORT),
      new Flag("--host", "sluice.http.host", "HTTP bind address (default 127.0.0.1)", Kind.HOST),
      new Flag("--data-dir", "sluice.persistence.rocksdb.dir", "RocksDB directory (default ./data)", Kind.PATH),
      new Flag("--long-poll-timeout", "sluice.http.long-poll-timeout", "long-poll wait, e.g. 500ms or 30s (default 30s)", Kind.DURATION),
      new Flag("--sse-cycle", "sluice.http.sse-cycle", "close SSE connections after this long (default 60s)", Kind.DURATION),
      new Flag("--max-append-bytes", "sluice.http.max-append-bytes", "largest POST/PUT body, e.g. 64MiB (413 above)", Kind.SIZE),
      new Flag("--cluster-host", "sluice.cluster.host", "Artery (cluster) bind address (default 127.0.0.1)", Kind.HOST),
      new Flag("--cluster-port", "sluice.cluster.port", "Artery (cluster) port, 0 = any (default 0)", Kind.PORT),
      new Flag("--fsync", "sluice.persistence.rocksdb.sync", "on|off: fsync before acknowledging (default on; off loses acked data on power loss)", Kind.ON_OFF),
      new Flag("--access-log", "sluice.access-log.enabled", "on|off: one log line per HTTP request (default off)", Kind.ON_OFF),
      new Flag("--node-ordinal", "sluice.replication.node-ordinal", "this node's index (0, 1 or 2) in --cluster-nodes", Kind.ORDINAL),
      new Flag("--management-port", "sluice.management.port",
          "port of /alive, /ready, /cluster/members; 0 = any, -1 = HTTP port + 1000 (default), off = none", Kind.MANAGEMENT_PORT));

  /** Parsed arguments: HOCON overrides, an optional extra config file, or a request for help or the version. */
  public record Parsed(Map<String, String> overrides, String configFile, List<String> seedNodes, List<String> clusterNodes,
                       boolean help, boolean version) {
    public Parsed(Map<String, String> overrides, String configFile, List<String> seedNodes, List<String> clusterNodes, boolean help) {
      this(overrides, configFile, seedNodes, clusterNodes, help, false);
    }

    public Parsed(Map<String, String> overrides, String configFile, List<String> seedNodes, boolean help) {
      this(overrides, configFile, seedNodes, null, help, false);
    }
  }

  private Args() {}

  /**
   * @throws UsageException for an unknown flag, a missing value, a value the flag does not accept,
   *     or flags that only work together given alone
   */
  public static Parsed parse(String[] args) {
    for (String a : args) {
      if (a.equals("--help") || a.equals("-h")) return new Parsed(Map.of(), null, null, null, true, false);
    }
    for (String a : args) {
      if (a.equals("--version")) return new Parsed(Map.of(), null, null, null, false, true);
    }
    var overrides = new LinkedHashMap<String, String>();
    String configFile = null;
    List<String> seeds = null;
    List<String> clusterNodes = null;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (!a.startsWith("--")) throw new UsageException("unexpected argument '" + a + "': options start with -- (see --help)");
      int eq = a.indexOf('=');
      final String name = eq > 0 ? a.substring(0, eq) : a;
      String value;
      if (eq > 0) {
        value = a.substring(eq + 1);
      } else {
        value = i + 1 < args.length && !args[i + 1].startsWith("--") ? args[++i] : null;
      }
      switch (name) {
        case "--config" -> {
          require(value, name, "a HOCON file");
          File f = new File(value);
          if (!f.isFile() || !f.canRead()) throw new UsageException("--config: no readable file '" + value + "'");
          configFile = value;
        }
        case "--cluster-nodes" -> {
          require(value, name, "the 3 nodes as host:port,host:port,host:port");
          clusterNodes = List.of(value.split(",", -1));
        }
        case "--seed-nodes" -> {
          require(value, name, "host:port entries separated by commas");
          seeds = value.isBlank() ? List.of() : List.of(value.split(",", -1));
        }
        default -> {
          Flag flag = FLAGS.stream().filter(f -> f.name().equals(name)).findFirst()
              .orElseThrow(() -> new UsageException("unknown option " + name + " (see --help)"));
          require(value, name, flag.kind().what);
          String hocon = flag.kind().hocon(value);
          if (hocon == null) throw new UsageException(name + ": expected " + flag.kind().what + ", got '" + value + "'");
          if (flag.kind() == Kind.MANAGEMENT_PORT && hocon.equals("off")) {
            overrides.put("sluice.management.enabled", "off");
          } else {
            overrides.put(flag.key(), hocon);
          }
        }
      }
    }
    if (overrides.containsKey("sluice.replication.node-ordinal") && clusterNodes == null) {
      throw new UsageException("--node-ordinal: only with --cluster-nodes (the replica set it indexes)");
    }
    return new Parsed(overrides, configFile, seeds, clusterNodes, false, false);
  }

  private static void require(String value, String flag, String what) {
    if (value == null) throw new UsageException(flag + ": missing value, expected " + what);
  }

  static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  public static String usage() {
    var sb = new StringBuilder("Usage: bin/sluice [options]\n\nRuns a Sluice node (Durable Streams server).\n\nOptions:\n");
    for (Flag f : FLAGS) sb.append(String.format("  %-28s %s  [%s]%n", f.name() + " V", f.help(), f.key()));
    sb.append(String.format("  %-28s %s%n", "--cluster-nodes H:P,H:P,H:P",
        "the 3 nodes of a replicated cluster (Artery host:port, in ordinal order); with --node-ordinal"));
    sb.append(String.format("  %-28s %s%n", "--config FILE", "extra HOCON file (overrides defaults, below the flags)"));
    sb.append(String.format("  %-28s %s%n", "--version", "print the version and exit"));
    sb.append(String.format("  %-28s %s%n", "--help", "this text"));
    sb.append("\nOptions take their value as the next argument or after '=' (--port=4437).\n");
    sb.append("Any HOCON key can also be set with -Dkey=value (JVM option, via SLUICE_JAVA_OPTS).\n");
    sb.append("A bad flag or configuration value exits with status 2 and a message naming it.\n");
    return sb.toString();
  }
}
