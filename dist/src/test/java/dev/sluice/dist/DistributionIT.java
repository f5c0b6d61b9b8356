package dev.sluice.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The distribution tarball as an operator uses it: unpacked into a fresh directory, started with
 * {@code bin/sluice} from another directory, with an empty {@code HOME} (so no {@code ~/.m2}) and
 * nothing of the source tree, then a stream written and read over HTTP, readiness and metrics
 * scraped, and the node stopped with SIGTERM. The node runs with the launcher's default JVM flags
 * ({@code bin/sluice-jvm.sh}, shipped in the tarball) and the class-data sharing archive its first
 * start trains into the distribution's {@code cds/}.
 */
class DistributionIT {
  private static final Pattern READY = Pattern.compile("SLUICE READY (http://\\S+)");
  private static final String VERSION = System.getProperty("sluice.dist.version");
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  @Timeout(420)
  void unpackedTarballRunsFromAnyDirectoryWithOnlyAJre() throws Exception {
    Path tarball = Path.of(System.getProperty("sluice.dist.tarball"));
    assertTrue(Files.isRegularFile(tarball), "no distribution at " + tarball + " (run the package phase)");
    Path work = Files.createDirectories(Path.of(System.getProperty("sluice.dist.workDir")));
    Path root = Files.createTempDirectory(work, "unpacked-");
    run(root, Map.of(), "tar", "-xzf", tarball.toString());
    Path home = root.resolve(System.getProperty("sluice.dist.name"));
    Path launcher = home.resolve("bin/sluice");
    assertTrue(Files.isExecutable(launcher), "bin/sluice missing or not executable in " + home);

    // Every Sluice jar says which build it is; the server jar runs with java -jar next to lib/.
    Path serverJar = home.resolve("lib/sluice-server-" + VERSION + ".jar");
    Manifest manifest = manifest(serverJar);
    assertEquals("dev.sluice.server.Main", manifest.getMainAttributes().getValue("Main-Class"));
    try (Stream<Path> jars = Files.list(home.resolve("lib"))) {
      for (Path jar : jars.filter(p -> p.getFileName().toString().startsWith("sluice-")).toList()) {
        assertEquals(VERSION, manifest(jar).getMainAttributes().getValue("Implementation-Version"), jar.toString());
      }
    }

    // An unrelated working directory and an empty HOME: nothing outside the unpacked tree is used.
    Path cwd = Files.createDirectories(root.resolve("elsewhere"));
    Path emptyHome = Files.createDirectories(root.resolve("empty-home"));
    // No SLUICE_JAVA_OPTS: the launcher's defaults are what is tested.
    Map<String, String> env = Map.of("HOME", emptyHome.toString(), "JAVA_HOME", javaHome());
    assertEquals("sluice " + VERSION, run(cwd, env, launcher.toString(), "--version").strip());
    assertEquals("sluice " + VERSION, run(cwd, env, javaHome() + "/bin/java", "-jar", serverJar.toString(), "--version").strip());

    int managementPort = freePort();
    Path log = root.resolve("node.log");
    ProcessBuilder pb = new ProcessBuilder(launcher.toString(), "--host", "127.0.0.1", "--port", "0",
        "--management-port", Integer.toString(managementPort), "--data-dir", "data", "--long-poll-timeout", "1s", "--access-log", "on")
        .directory(cwd.toFile()).redirectError(log.toFile());
    pb.environment().putAll(env);
    Process node = pb.start();
    try {
      // The first start trains the class-data sharing archive (a throw-away node) before the node starts.
      URI base = awaitReady(node, log);
      List<String> jvmArgs = commandLine(node);
      assertTrue(jvmArgs.contains("-Xmx512m") && jvmArgs.contains("-XX:+UseParallelGC"), "default flags: " + jvmArgs);
      assertTrue(jvmArgs.stream().anyMatch(a -> a.startsWith("-XX:SharedArchiveFile=" + home.resolve("cds"))),
          "runs with the archive its start trained: " + jvmArgs + "\n" + Files.readString(log));
      try (Stream<Path> cds = Files.list(home.resolve("cds"))) {
        assertEquals(1, cds.filter(f -> f.getFileName().toString().endsWith(".jsa")).count(), "one archive in cds/");
      }
      URI stream = base.resolve("/v1/stream/smoke");
      assertEquals(201, send(HttpRequest.newBuilder(stream).header("Content-Type", "text/plain")
          .PUT(HttpRequest.BodyPublishers.noBody())).statusCode());
      int appended = send(HttpRequest.newBuilder(stream).header("Content-Type", "text/plain")
          .POST(HttpRequest.BodyPublishers.ofString("hello from the tarball"))).statusCode();
      assertTrue(appended == 200 || appended == 204, "append answered " + appended);
      HttpResponse<String> read = send(HttpRequest.newBuilder(URI.create(stream + "?offset=-1")).GET());
      assertEquals(200, read.statusCode());
      assertEquals("hello from the tarball", read.body());

      HttpResponse<String> ready = send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/ready")).GET());
      assertEquals(200, ready.statusCode(), ready.body());
      HttpResponse<String> metrics = send(HttpRequest.newBuilder(base.resolve("/metrics")).GET());
      assertEquals(200, metrics.statusCode());
      assertTrue(metrics.body().contains("sluice_appends_acknowledged_total 1.0"), "metrics:\n" + metrics.body());
      assertTrue(Files.isDirectory(cwd.resolve("data")), "--data-dir data is relative to the caller's directory");

      node.destroy(); // SIGTERM: bin/sluice exec'ed the JVM, so this is the node itself
      assertTrue(node.waitFor(60, TimeUnit.SECONDS), "node did not exit within 60 s of SIGTERM; log " + log);
      String output = Files.readString(log);
      assertFalse(output.contains("Exception"), "exceptions in the node's log:\n" + output);
      assertTrue(output.contains("sluice.access - POST /v1/stream/smoke " + appended + " "), "no access log line:\n" + output);
    } finally {
      node.destroyForcibly();
    }
  }

  private static URI awaitReady(Process node, Path log) throws Exception {
    CompletableFuture<URI> ready = new CompletableFuture<>();
    Thread pump = new Thread(() -> {
      try (BufferedReader out = new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = out.readLine()) != null) {
          Matcher m = READY.matcher(line);
          if (m.find()) ready.complete(URI.create(m.group(1)));
        }
        ready.completeExceptionally(new IllegalStateException("node ended before its READY line; log " + log));
      } catch (IOException e) {
        ready.completeExceptionally(e);
      }
    }, "dist-node-stdout");
    pump.setDaemon(true);
    pump.start();
    try {
      return ready.get(240, TimeUnit.SECONDS); // training the archive first takes 20 s to 2 min
    } catch (Exception e) {
      throw new AssertionError("node not ready: " + e + "\n" + Files.readString(log), e);
    }
  }

  /** The process's command line from /proc (bin/sluice exec'ed the JVM: the JVM's arguments). */
  private static List<String> commandLine(Process p) throws IOException {
    byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), "cmdline"));
    return List.of(new String(raw, StandardCharsets.UTF_8).split("\0"));
  }

  private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return HTTP.send(request.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static Manifest manifest(Path jar) throws IOException {
    try (JarFile f = new JarFile(jar.toFile())) {
      Manifest m = f.getManifest();
      assertNotNull(m, "no manifest in " + jar);
      return m;
    }
  }

  /** Runs a command to completion; its stdout, or an assertion error with its output. */
  private static String run(Path dir, Map<String, String> env, String... command) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
    pb.environment().putAll(env);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), String.join(" ", command) + " did not end");
    assertEquals(0, p.exitValue(), String.join(" ", command) + ":\n" + out);
    return out;
  }

  private static String javaHome() {
    return System.getProperty("java.home");
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
