package dev.sluice.it.support;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One Sluice server JVM ({@code dev.sluice.server.Main}) started for a test, on a free loopback
 * port, with its own data directory.
 *
 * <p>Lifecycle:
 *
 * <pre>
 *   start() --READY line--> running --kill()--> dead (SIGKILL, like a power cut)
 *                              |      --stop()--> dead (SIGTERM, graceful shutdown)
 *   close(): whatever the state, the process and any children are gone afterwards.
 * </pre>
 *
 * <p>{@link #start} returns only after the server printed {@code SLUICE READY http://HOST:PORT}
 * (bounded by the ready timeout, 60 s by default); the URL in that line is the {@link #baseUri()}.
 * Everything the process writes to stdout and stderr goes to
 * {@code target/it-logs/<testName>-<n>.log}, which is kept after the build.
 *
 * <p>Debugging aid: {@code -Dsluice.it.command="node start.mjs {port} {longPollMs} {dataDir}"} and
 * {@code -Dsluice.it.readyPattern="^READY (\S+)"} replace the Sluice command line (for example to
 * run the same harness against another Durable Streams implementation). Tests must not rely on it.
 *
 * <p>Not thread-safe for lifecycle calls; {@link #baseUri()} and friends may be read from any thread.
 */
public final class NodeProcess implements AutoCloseable {

  public static final String MAIN_CLASS = "dev.sluice.server.Main";
  /** {@code -Xmx256m} per docs/style.md build notes; serial GC and C1 only keep startup cheap on 2 cores. */
  public static final List<String> DEFAULT_JVM_OPTS =
      List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
  private static final Pattern SLUICE_READY = Pattern.compile("SLUICE READY (http://\\S+)");
  private static final int TAIL_LINES = 60;

  private final String name;
  private final Process process;
  private final Path logFile;
  private final Path dataDir;
  private final URI baseUri;
  private final Deque<String> tail;

  private NodeProcess(String name, Process process, Path logFile, Path dataDir, URI baseUri, Deque<String> tail) {
    this.name = name;
    this.process = process;
    this.logFile = logFile;
    this.dataDir = dataDir;
    this.baseUri = baseUri;
    this.tail = tail;
  }

  /** Starts a node with the default options ({@code --long-poll-timeout 500ms}). */
  public static NodeProcess start(String testName, Path dataDir) {
    return builder(testName, dataDir).start();
  }

  public static Builder builder(String testName, Path dataDir) {
    return new Builder(testName, dataDir);
  }

  /** {@code http://127.0.0.1:PORT}, as announced by the READY line. */
  public URI baseUri() {
    return baseUri;
  }

  /** {@code http://127.0.0.1:PORT/v1/stream/<name>}. */
  public URI streamUri(String streamName) {
    return baseUri.resolve("/v1/stream/" + streamName);
  }

  public Path dataDir() {
    return dataDir;
  }

  public Path logFile() {
    return logFile;
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /**
   * "running", or how the process ended: "exit code 143 (SIGTERM)", "exit code 137 (SIGKILL)",
   * "exit code 255" (e.g. System.exit(-1) from Pekko's jvm-exit-on-fatal-error), ...
   */
  public String status() {
    if (process.isAlive()) {
      return "running";
    }
    int code = process.exitValue();
    String signal = switch (code) {
      case 130 -> " (SIGINT)";
      case 134 -> " (SIGABRT, JVM crash?)";
      case 137 -> " (SIGKILL, e.g. OOM killer or destroyForcibly)";
      case 143 -> " (SIGTERM)";
      default -> "";
    };
    return "exit code " + code + signal;
  }

  /** The last lines the process printed, for assertion messages. */
  public String logTail() {
    synchronized (tail) {
      return String.join("\n", tail);
    }
  }

  /** SIGKILL (no shutdown hooks, no flushing) and wait until the process is gone. */
  public void kill() {
    killTree();
    waitForExit(Duration.ofSeconds(30));
  }

  /**
   * SIGSTOP: the process stays, but runs no code (no heartbeats, no answers) until {@link #resume}.
   * The kernel still accepts connections and buffers requests for it. {@link #close} and
   * {@link #kill} work on a paused process (SIGKILL needs no cooperation).
   */
  public void pause() {
    signal("STOP");
  }

  /** SIGCONT after {@link #pause}. */
  public void resume() {
    signal("CONT");
  }

  private void signal(String name) {
    try {
      Process p = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed: " + out);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run kill -" + name, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while sending SIG" + name);
    }
  }

  /** SIGTERM without waiting: the test watches the graceful shutdown itself ({@link #awaitExit}). */
  public void signalTerm() {
    process.destroy();
  }

  /** The exit status of a process that has ended. */
  public int exitCode() {
    return process.exitValue();
  }

  /** Waits up to {@code timeout} for the process to end by itself; true if it did. */
  public boolean awaitExit(Duration timeout) {
    try {
      return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * SIGTERM, then wait up to {@code timeout} for a graceful exit.
   *
   * @return the exit code
   * @throws IllegalStateException if the process did not exit in time (it is then SIGKILLed)
   */
  public int stop(Duration timeout) {
    process.descendants().forEach(ProcessHandle::destroy);
    process.destroy();
    if (!waitForExit(timeout)) {
      killTree();
      waitForExit(Duration.ofSeconds(30));
      throw new IllegalStateException(name + " did not exit within " + timeout + " after SIGTERM; log: " + logFile);
    }
    return process.exitValue();
  }

  public int stop() {
    return stop(Duration.ofSeconds(30));
  }

  @Override
  public void close() {
    if (process.isAlive() || process.descendants().findAny().isPresent()) {
      killTree();
      waitForExit(Duration.ofSeconds(30));
    }
  }

  @Override
  public String toString() {
    return name + "[pid=" + process.pid() + ", " + baseUri + ", log=" + logFile + "]";
  }

  private void killTree() {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
  }

  private boolean waitForExit(Duration timeout) {
    try {
      return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      killTree();
      return false;
    }
  }

  /** Options for one node. Each {@code start()} spawns a new process with its own log file. */
  public static final class Builder {
    private final String testName;
    private final Path dataDir;
    private Duration longPollTimeout = Duration.ofMillis(500);
    private Duration readyTimeout = Duration.ofSeconds(60);
    private final List<String> extraArgs = new ArrayList<>();
    private final List<String> extraJvmOpts = new ArrayList<>();
    private int fdLimit;

    private Builder(String testName, Path dataDir) {
      this.testName = testName;
      this.dataDir = dataDir.toAbsolutePath();
    }

    /** Passed as {@code --long-poll-timeout <millis>ms}; conformance needs well under 5 s. */
    public Builder longPollTimeout(Duration timeout) {
      this.longPollTimeout = timeout;
      return this;
    }

    public Builder readyTimeout(Duration timeout) {
      this.readyTimeout = timeout;
      return this;
    }

    /** More arguments for {@code Main}, after the defaults. */
    public Builder args(String... args) {
      extraArgs.addAll(Arrays.asList(args));
      return this;
    }

    /** More JVM options, e.g. {@code -Dsluice.some.key=value} (system properties override HOCON). */
    public Builder jvmOpts(String... opts) {
      extraJvmOpts.addAll(Arrays.asList(opts));
      return this;
    }

    /**
     * Starts the JVM under {@code prlimit --nofile=N:N} (util-linux), so the node runs with a
     * file-descriptor limit of {@code n}, as an operator's {@code ulimit -n} would set it.
     */
    public Builder fdLimit(int n) {
      this.fdLimit = n;
      return this;
    }

    public NodeProcess start() {
      int port = freePort();
      String name = testName + "-" + ItEnv.nextIndex("log:" + testName);
      Path logFile = ItEnv.logDir().resolve(name + ".log").toAbsolutePath();
      List<String> command = command(port);
      Pattern ready = readyPattern();

      ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
      Process process;
      BufferedWriter log = null;
      try {
        log = Files.newBufferedWriter(logFile, StandardCharsets.UTF_8);
        log.write("# " + String.join(" ", redactClasspath(command)) + System.lineSeparator());
        log.flush();
        process = Reaper.track(pb.start());
      } catch (IOException e) {
        closeQuietly(log);
        throw new UncheckedIOException("cannot start " + name + ": " + command.get(0), e);
      }

      BufferedWriter out = log;
      Deque<String> tail = new ArrayDeque<>();
      CompletableFuture<URI> readyUri = new CompletableFuture<>();
      Thread pump = new Thread(() -> pump(process, out, ready, tail, readyUri), name + "-output");
      pump.setDaemon(true);
      pump.start();

      NodeProcess node = new NodeProcess(name, process, logFile, dataDir, null, tail);
      try {
        URI uri = readyUri.get(readyTimeout.toMillis(), TimeUnit.MILLISECONDS);
        return new NodeProcess(name, process, logFile, dataDir, uri, tail);
      } catch (TimeoutException e) {
        node.close();
        throw new IllegalStateException(name + " printed no READY line within " + readyTimeout
            + "; log " + logFile + ":\n" + node.logTail());
      } catch (ExecutionException e) {
        node.close();
        throw new IllegalStateException(name + " did not become ready: " + e.getCause().getMessage()
            + "; log " + logFile + ":\n" + node.logTail());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        node.close();
        throw new IllegalStateException("interrupted while starting " + name);
      }
    }

    private List<String> command(int port) {
      String template = System.getProperty("sluice.it.command");
      if (template != null && !template.isBlank()) {
        List<String> cmd = new ArrayList<>();
        for (String token : template.trim().split("\\s+")) {
          cmd.add(token.replace("{port}", Integer.toString(port))
              .replace("{dataDir}", dataDir.toString())
              .replace("{longPollMs}", Long.toString(longPollTimeout.toMillis())));
        }
        cmd.addAll(extraArgs);
        return cmd;
      }
      List<String> cmd = new ArrayList<>();
      if (fdLimit > 0) cmd.addAll(List.of("prlimit", "--nofile=" + fdLimit + ":" + fdLimit, "--"));
      cmd.add(ItEnv.javaExecutable());
      cmd.addAll(DEFAULT_JVM_OPTS);
      String extraJvm = System.getProperty("sluice.it.jvmOpts", "");
      if (!extraJvm.isBlank()) {
        cmd.addAll(Arrays.asList(extraJvm.trim().split("\\s+")));
      }
      cmd.addAll(extraJvmOpts);
      // The shared archive, unless this JVM manages class-data sharing itself (NodeCds's training
      // node writes the archive; bin/sluice-jvm.sh's cds_wanted makes the same exception).
      if (extraJvmOpts.stream().noneMatch(o -> o.startsWith("-Xshare:") || o.startsWith("-XX:SharedArchiveFile=")
          || o.startsWith("-XX:ArchiveClassesAtExit="))) {
        cmd.addAll(NodeCds.jvmOpts());
      }
      cmd.addAll(List.of("-cp", ItEnv.nodeClasspath(), MAIN_CLASS,
          "--host", "127.0.0.1",
          "--port", Integer.toString(port),
          // Explicit, not the default (--port + 1000): that number was never checked, and nodes started
          // together could collide there (GracefulShutdownIT's restarts once did, 2026-12-02).
          "--management-port", Integer.toString(freePort()),
          "--data-dir", dataDir.toString(),
          "--long-poll-timeout", longPollTimeout.toMillis() + "ms"));
      cmd.addAll(extraArgs);
      return cmd;
    }

    private static Pattern readyPattern() {
      String p = System.getProperty("sluice.it.readyPattern");
      return p == null || p.isBlank() ? SLUICE_READY : Pattern.compile(p);
    }

    private static List<String> redactClasspath(List<String> command) {
      List<String> shown = new ArrayList<>(command);
      int i = shown.indexOf("-cp");
      if (i >= 0 && i + 1 < shown.size()) {
        shown.set(i + 1, "<" + shown.get(i + 1).split(java.io.File.pathSeparator).length + " classpath entries>");
      }
      return shown;
    }
  }

  /** Copies the process output to the log file and completes {@code readyUri} on the READY line. */
  private static void pump(Process process, BufferedWriter log, Pattern ready, Deque<String> tail,
                           CompletableFuture<URI> readyUri) {
    try (log; BufferedReader in = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        log.write(line);
        log.newLine();
        log.flush();
        synchronized (tail) {
          tail.addLast(line);
          if (tail.size() > TAIL_LINES) {
            tail.removeFirst();
          }
        }
        if (!readyUri.isDone()) {
          Matcher m = ready.matcher(line);
          if (m.find()) {
            readyUri.complete(URI.create(m.group(1)));
          }
        }
      }
    } catch (IOException e) {
      readyUri.completeExceptionally(e);
    }
    if (!readyUri.isDone()) {
      String exit;
      try {
        exit = "exit code " + process.waitFor();
      } catch (InterruptedException e) {
        exit = "unknown exit code";
      }
      readyUri.completeExceptionally(new IllegalStateException("process ended (" + exit + ") before its READY line"));
    }
  }

  private static void closeQuietly(BufferedWriter w) {
    if (w != null) {
      try {
        w.close();
      } catch (IOException ignored) {
        // the start failure is what matters
      }
    }
  }

  /** Every port {@link #freePort} handed out in this JVM: nodes started together must not share one. */
  private static final java.util.Set<Integer> HANDED_OUT = java.util.concurrent.ConcurrentHashMap.newKeySet();

  /**
   * A free TCP port on loopback at the time of the call, never one this JVM handed out before (a
   * node started a moment ago may not have bound its port yet, so the kernel could offer it again).
   */
  public static int freePort() {
    while (true) {
      try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
        s.setReuseAddress(true);
        int port = s.getLocalPort();
        if (HANDED_OUT.add(port)) return port;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
