package dev.sluice.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Command-line options of {@code bin/sluice-bench}, parsed once into an immutable record.
 *
 * <p>Scenario-dependent defaults (connections, streams, rate) are {@code null} here and resolved by
 * {@link #connectionsOr}, {@link #streamsOr} and {@link #rateOr}, so that "not given" stays
 * distinguishable from an explicit value. Thread-safe (immutable).
 */
public record BenchOptions(
    Command command,
    List<String> urls,
    Scenario scenario,
    Integer streams,
    Integer connections,
    Duration duration,
    Duration warmup,
    Double rate,
    int size,
    int batch,
    int subscribers,
    long streamBytes,
    int clients,
    int count,
    Duration delay,
    List<Long> pids,
    String label,
    Path out,
    String name,
    Duration requestTimeout,
    Duration drainTimeout,
    String runId,
    boolean quiet,
    String baseline,
    List<Path> inputs,
    String host,
    int port,
    Path mirrorConfig,
    List<String> metrics,
    int kills,
    Path clusterDir,
    Path clusterScript,
    Duration attemptTimeout,
    Duration settle,
    Duration window) {

  /** What to do. */
  public enum Command { RUN, COMPARE, NOOP_SERVER, FAILOVER, HELP }

  /** The load shapes, modelled on the public ds-bench suite. */
  public enum Scenario {
    APPEND, PRODUCER, FANOUT, LONGPOLL, CATCHUP, STREAMS;

    public String key() {
      return name().toLowerCase(Locale.ROOT);
    }

    static Scenario parse(String s) {
      for (Scenario v : values()) {
        if (v.key().equals(s)) return v;
      }
      throw new IllegalArgumentException("--scenario must be one of append, producer, fanout, longpoll, catchup, streams; was " + s);
    }
  }

  public static final String USAGE = """
      Usage:
        bin/sluice-bench [run] --scenario S [options]      load one server, print progress, write results
        bin/sluice-bench compare [--baseline L] [--out DIR] RESULT.json...
                                                          one table of medians + ratios vs the baseline label
        bin/sluice-bench noop-server [--host H] [--port N] [--mirror-config FILE]
                                                          the no-op Pekko HTTP ceiling server
        bin/sluice-bench failover --target URL0,URL1,URL2 --cluster-dir DIR [--kills N] [options]
                                                          SIGKILL the nodes of a bin/sluice-cluster in turn
                                                          while appending; recovery time per kill, then
                                                          every acknowledged append is read back through
                                                          every node (bench/failover.sh runs it all)
        bin/sluice-bench --help

      Scenarios (--scenario):
        append     N streams, SIZE-byte POSTs (application/octet-stream) over C keep-alive connections.
                   Closed loop (peak throughput) unless --rate R: open loop at R requests/s, latency
                   measured from the intended send time (free of coordinated omission).
        producer   as append, with Producer-Id/-Epoch/-Seq headers (one producer per connection)
                   and --batch B records of SIZE bytes per POST.
        fanout     one text/plain stream, --subscribers S SSE readers (offset=now&live=sse), appends
                   at --rate R/s; latency from the append's acknowledgement to each receipt; every
                   event must arrive at every subscriber exactly once.
        longpoll   --streams P reader/writer pairs: the reader long-polls at the tail, the writer
                   appends --delay later; latency from the append to the reader's wake-up.
        catchup    --clients K readers each read a --stream-bytes stream from -1, following
                   Stream-Next-Offset until Stream-Up-To-Date, over and over; aggregate MB/s.
        streams    create --count streams (PUT) over C connections (capped by --duration);
                   creation rate and the server's RSS (--pid) before and after.

      Options (defaults in brackets; durations like 500ms/10s/2m, sizes like 256/64KiB/10MB = 10 MiB):
        --url URL              server base URL; streams live under URL/v1/stream/   [http://127.0.0.1:4437]
                               Several (comma-separated or repeated; --target is a synonym), e.g. the 3
                               nodes of a cluster: append/producer create each stream once (through the
                               first URL), spread their connections evenly over the URLs, send every
                               stream's appends through all of them, and report each URL and the total.
        --scenario S           see above                                           [append]
        --streams N            streams (append/producer), pairs (longpoll)         [100 / 10]
        --connections C        connections (append/producer/streams), writers (fanout) [256 / 64 / 16]
        --duration D           measured phase (streams: upper bound)               [10s / 120s]
        --warmup D             unmeasured phase before it (not for streams)        [3s]
        --rate R               open-loop requests/s (append/producer); appends/s (fanout) [closed / 20]
        --size B               record size                                         [256]
        --batch N              records per POST (producer)                         [10]
        --subscribers S        SSE subscribers (fanout)                            [1000]
        --stream-bytes B       size of the stream read by catchup                  [10MiB]
        --clients K            catchup readers                                     [8]
        --count N              streams to create (streams)                         [100000]
        --delay D              longpoll: pause between the (re)poll and the append [20ms]
        --pid PID[,PID..]      server process(es) whose CPU and VmRSS are reported, summed (any scenario)
                               [none]
        --label L              name of the target in reports, e.g. sluice           [target]
        --out DIR              where <name>.json/.md/.svg go                         [bench-results]
        --name N               result name (default derived from scenario + parameters)
        --request-timeout D    a request unanswered this long counts as hung        [30s]
        --drain-timeout D      wait this long for in-flight work after the run      [10s]
        --run-id ID            prefix of stream names                               [random]
        --window D             also report throughput and p50/p99 per window of the measured phase, e.g.
                               10s with --warmup 0s against a server started just before (bench/warmup.sh)
                               [off]
        --quiet                no per-second progress lines
      compare:
        --baseline L           label the ratios are relative to                     [sluice]
        --out DIR              where summary.md/.json and latency-*.svg go          [bench-results]
        --metrics K,K..        only these metrics (keys as in the JSON, e.g. throughput,p50,p99,max) [all]
      noop-server:
        --host H --port N      bind address                                         [127.0.0.1:4438]
        --mirror-config FILE   take pekko.http.server and pekko.actor.default-dispatcher from this
                               HOCON file (Sluice's server/src/main/resources/application.conf), so the
                               ceiling runs Pekko tuned the way Sluice is
      failover (the node given as URL i is node-i of --cluster-dir):
        --cluster-dir DIR      root of the bin/sluice-cluster (node-i/pid)           [required]
        --cluster-script F     `F start` restarts a killed node and waits for it   [bin/sluice-cluster]
        --kills N              how many kills (of nodes 0, 1, 2, 0, ... in turn)    [20]
        --streams N            streams appended to (each created through node i mod 3) [30]
        --rate R               appends/s per stream                                 [5]
        --attempt-timeout D    client timeout of one append attempt (then retry via the next node) [1s]
        --settle D             after a rejoin, wait this long before the next kill  [5s]
        --out DIR              where failover-<run id>.md goes                      [bench-results]
      """;

  public int connectionsOr(int dflt) {
    return connections != null ? connections : dflt;
  }

  public int streamsOr(int dflt) {
    return streams != null ? streams : dflt;
  }

  public double rateOr(double dflt) {
    return rate != null ? rate : dflt;
  }

  /** The target URLs joined by commas (one URL for a single server), as reports show them. */
  public String url() {
    return String.join(",", urls);
  }

  /** The first server process given with {@code --pid}, or 0. */
  public long pid() {
    return pids.isEmpty() ? 0 : pids.get(0);
  }

  /** Parses {@code args}; throws {@link IllegalArgumentException} naming the offending option. */
  public static BenchOptions parse(String... args) {
    List<String> rest = new ArrayList<>(List.of(args));
    Command command = Command.RUN;
    if (!rest.isEmpty() && !rest.get(0).startsWith("-")) {
      String c = rest.remove(0);
      command = switch (c) {
        case "run" -> Command.RUN;
        case "compare" -> Command.COMPARE;
        case "noop-server" -> Command.NOOP_SERVER;
        case "failover" -> Command.FAILOVER;
        case "help" -> Command.HELP;
        default -> throw new IllegalArgumentException("unknown command '" + c + "' (run, compare, noop-server, failover)");
      };
    }
    Map<String, String> kv = new TreeMap<>();
    List<Path> inputs = new ArrayList<>();
    List<String> urls = new ArrayList<>();
    boolean quiet = false;
    for (int i = 0; i < rest.size(); i++) {
      String a = rest.get(i);
      if (a.equals("--help") || a.equals("-h")) return defaults(Command.HELP);
      if (a.equals("--quiet")) {
        quiet = true;
        continue;
      }
      if (!a.startsWith("--")) {
        if (command != Command.COMPARE) throw new IllegalArgumentException("unexpected argument '" + a + "'");
        inputs.add(Path.of(a));
        continue;
      }
      String key;
      String value;
      int eq = a.indexOf('=');
      if (eq > 0) {
        key = a.substring(2, eq);
        value = a.substring(eq + 1);
      } else {
        key = a.substring(2);
        if (i + 1 >= rest.size()) throw new IllegalArgumentException("--" + key + " needs a value");
        value = rest.get(++i);
      }
      if (!KNOWN.contains(key)) throw new IllegalArgumentException("unknown option --" + key + " (see --help)");
      if (key.equals("url") || key.equals("target")) {
        for (String u : value.split(",")) {
          if (!u.isBlank()) urls.add(stripSlash(u.trim()));
        }
        continue;
      }
      kv.put(key, value);
    }
    BenchOptions d = defaults(command);
    return new BenchOptions(
        command,
        urls(urls, d.urls),
        kv.containsKey("scenario") ? Scenario.parse(kv.get("scenario")) : d.scenario,
        kv.containsKey("streams") ? positiveInt("streams", kv.get("streams")) : null,
        kv.containsKey("connections") ? positiveInt("connections", kv.get("connections")) : null,
        kv.containsKey("duration") ? duration("duration", kv.get("duration")) : d.duration,
        kv.containsKey("warmup") ? duration("warmup", kv.get("warmup")) : d.warmup,
        kv.containsKey("rate") ? positiveDouble("rate", kv.get("rate")) : null,
        kv.containsKey("size") ? (int) size("size", kv.get("size")) : d.size,
        kv.containsKey("batch") ? positiveInt("batch", kv.get("batch")) : d.batch,
        kv.containsKey("subscribers") ? positiveInt("subscribers", kv.get("subscribers")) : d.subscribers,
        kv.containsKey("stream-bytes") ? size("stream-bytes", kv.get("stream-bytes")) : d.streamBytes,
        kv.containsKey("clients") ? positiveInt("clients", kv.get("clients")) : d.clients,
        kv.containsKey("count") ? positiveInt("count", kv.get("count")) : d.count,
        kv.containsKey("delay") ? duration("delay", kv.get("delay")) : d.delay,
        kv.containsKey("pid") ? pids(kv.get("pid")) : List.of(),
        kv.getOrDefault("label", d.label),
        Path.of(kv.getOrDefault("out", d.out.toString())),
        kv.get("name"),
        kv.containsKey("request-timeout") ? duration("request-timeout", kv.get("request-timeout")) : d.requestTimeout,
        kv.containsKey("drain-timeout") ? duration("drain-timeout", kv.get("drain-timeout")) : d.drainTimeout,
        kv.getOrDefault("run-id", d.runId),
        quiet,
        kv.getOrDefault("baseline", d.baseline),
        List.copyOf(inputs),
        kv.getOrDefault("host", d.host),
        kv.containsKey("port") ? port(kv.get("port")) : d.port,
        kv.containsKey("mirror-config") ? Path.of(kv.get("mirror-config")) : null,
        kv.containsKey("metrics") ? List.of(kv.get("metrics").split("\\s*,\\s*")) : List.of(),
        kv.containsKey("kills") ? positiveInt("kills", kv.get("kills")) : d.kills,
        kv.containsKey("cluster-dir") ? Path.of(kv.get("cluster-dir")) : null,
        kv.containsKey("cluster-script") ? Path.of(kv.get("cluster-script")) : null,
        kv.containsKey("attempt-timeout") ? duration("attempt-timeout", kv.get("attempt-timeout")) : d.attemptTimeout,
        kv.containsKey("settle") ? duration("settle", kv.get("settle")) : d.settle,
        kv.containsKey("window") ? window(kv.get("window")) : d.window);
  }

  private static List<String> urls(List<String> given, List<String> dflt) {
    if (given.isEmpty()) return dflt;
    if (new java.util.HashSet<>(given).size() != given.size()) {
      throw new IllegalArgumentException("--url/--target lists the same URL twice: " + given);
    }
    return List.copyOf(given);
  }

  private static List<Long> pids(String s) {
    List<Long> out = new ArrayList<>();
    for (String p : s.split(",")) out.add((long) positiveInt("pid", p));
    return List.copyOf(out);
  }

  private static final java.util.Set<String> KNOWN = java.util.Set.of(
      "url", "scenario", "streams", "connections", "duration", "warmup", "rate", "size", "batch",
      "subscribers", "stream-bytes", "clients", "count", "delay", "pid", "label", "out", "name",
      "request-timeout", "drain-timeout", "run-id", "baseline", "host", "port", "mirror-config", "target",
      "metrics", "kills", "cluster-dir", "cluster-script", "attempt-timeout", "settle", "window");

  static BenchOptions defaults(Command command) {
    return new BenchOptions(command, List.of("http://127.0.0.1:4437"), Scenario.APPEND, null, null,
        null, Duration.ofSeconds(3), null, 256, 10, 1000, 10L << 20, 8, 100_000,
        Duration.ofMillis(20), List.of(), "target", Path.of("bench-results"), null, Duration.ofSeconds(30),
        Duration.ofSeconds(10), Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36),
        false, "sluice", List.of(), "127.0.0.1", 4438, null, List.of(), 20, null, null,
        Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ZERO);
  }

  /** {@code --window}: whole seconds (the progress clock ticks once a second), at least 1 s. */
  private static Duration window(String s) {
    Duration d = duration("window", s);
    if (d.toMillis() < 1000 || d.toMillis() % 1000 != 0) {
      throw new IllegalArgumentException("--window must be a whole number of seconds, at least 1s; was " + s);
    }
    return d;
  }

  /** The measured duration: the given one, else 10 s (120 s as an upper bound for {@code streams}). */
  public Duration durationOrDefault() {
    if (duration != null) return duration;
    return scenario == Scenario.STREAMS ? Duration.ofSeconds(120) : Duration.ofSeconds(10);
  }

  /** Parses {@code 500ms}, {@code 10s}, {@code 1.5s}, {@code 2m}, {@code 1h}; a bare number is seconds. */
  public static Duration duration(String option, String s) {
    String t = s.trim().toLowerCase(Locale.ROOT);
    double factorNanos;
    String num;
    if (t.endsWith("ms")) {
      factorNanos = 1e6;
      num = t.substring(0, t.length() - 2);
    } else if (t.endsWith("us")) {
      factorNanos = 1e3;
      num = t.substring(0, t.length() - 2);
    } else if (t.endsWith("s")) {
      factorNanos = 1e9;
      num = t.substring(0, t.length() - 1);
    } else if (t.endsWith("m")) {
      factorNanos = 60e9;
      num = t.substring(0, t.length() - 1);
    } else if (t.endsWith("h")) {
      factorNanos = 3600e9;
      num = t.substring(0, t.length() - 1);
    } else {
      factorNanos = 1e9;
      num = t;
    }
    try {
      double v = Double.parseDouble(num);
      if (v < 0 || Double.isNaN(v) || Double.isInfinite(v)) throw new NumberFormatException();
      return Duration.ofNanos(Math.round(v * factorNanos));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + option + " must be a duration like 500ms, 10s or 2m; was " + s);
    }
  }

  /** Parses {@code 256}, {@code 64k}, {@code 64KiB}, {@code 10MB}, {@code 1G}; K/M/G are binary (1024-based). */
  public static long size(String option, String s) {
    String t = s.trim().toLowerCase(Locale.ROOT);
    long factor = 1;
    String num = t;
    String[][] suffixes = {{"kib", "1024"}, {"kb", "1024"}, {"k", "1024"}, {"mib", "1048576"}, {"mb", "1048576"},
        {"m", "1048576"}, {"gib", "1073741824"}, {"gb", "1073741824"}, {"g", "1073741824"}, {"b", "1"}};
    for (String[] suf : suffixes) {
      if (t.endsWith(suf[0])) {
        factor = Long.parseLong(suf[1]);
        num = t.substring(0, t.length() - suf[0].length());
        break;
      }
    }
    try {
      double v = Double.parseDouble(num.trim());
      long bytes = Math.round(v * factor);
      if (bytes <= 0) throw new NumberFormatException();
      if (option.equals("size") && bytes > Integer.MAX_VALUE / 64) throw new NumberFormatException();
      return bytes;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + option + " must be a positive size like 256, 64KiB or 10MB; was " + s);
    }
  }

  private static int positiveInt(String option, String s) {
    try {
      int v = Integer.parseInt(s.trim().replace("_", "").replace(",", ""));
      if (v <= 0) throw new NumberFormatException();
      return v;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + option + " must be a positive integer; was " + s);
    }
  }

  private static double positiveDouble(String option, String s) {
    try {
      double v = Double.parseDouble(s.trim().replace("_", ""));
      if (!(v > 0) || Double.isInfinite(v)) throw new NumberFormatException();
      return v;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + option + " must be a positive number; was " + s);
    }
  }

  private static int port(String s) {
    try {
      int v = Integer.parseInt(s.trim());
      if (v < 0 || v > 65535) throw new NumberFormatException();
      return v;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--port must be 0..65535; was " + s);
    }
  }

  private static String stripSlash(String url) {
    if (!url.startsWith("http://")) {
      throw new IllegalArgumentException("--url must start with http:// (TLS is not supported); was " + url);
    }
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }
}
