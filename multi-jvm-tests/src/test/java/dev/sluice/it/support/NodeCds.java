package dev.sluice.it.support;

import java.io.IOException;
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
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One class-data sharing archive for every server JVM the integration tests start, as
 * {@code bin/sluice} keeps one for its nodes (README "The first minute after start"): a started JVM
 * maps the classes it loads (Pekko, Scala, RocksDB, Sluice) pre-parsed and pre-verified instead of
 * reading them from the jars. Measured with {@code bin/sluice} on this 2-core machine: ready in
 * 5.3-5.6 s with an archive, 7.9-9.2 s without; the ITs start about fifty server JVMs, often three
 * at once on two cores.
 *
 * <p>Built once per build, on first use: a training node ({@link NodeProcess#DEFAULT_JVM_OPTS}, the
 * jar-only {@link ItEnv#nodeClasspath()}, {@code -XX:ArchiveClassesAtExit}) serves a few requests of
 * each kind and is stopped with SIGTERM, which writes the archive. Nothing depends on it: if training
 * fails the nodes start without it, and a JVM that finds the archive unusable ignores it
 * ({@code -Xshare:auto}, the default). {@code -Dsluice.it.cds=off} turns it off.
 *
 * <p>Thread-safe.
 */
public final class NodeCds {
  private static final Pattern READY = Pattern.compile("SLUICE READY (http://\\S+)");
  private static Optional<Path> archive;

  private NodeCds() {}

  /** The JVM option that maps the archive, or none (off, or training failed). */
  public static synchronized List<String> jvmOpts() {
    if (archive == null) archive = build();
    return archive.map(a -> List.of("-XX:SharedArchiveFile=" + a)).orElse(List.of());
  }

  private static Optional<Path> build() {
    if ("off".equals(System.getProperty("sluice.it.cds"))) return Optional.empty();
    Path dir = ItEnv.ensureDir(Path.of("target", "it-cds")).toAbsolutePath();
    Path jsa = dir.resolve("nodes.jsa");
    Path log = ItEnv.logDir().resolve("NodeCds-training.log").toAbsolutePath();
    long t0 = System.nanoTime();
    Process p = null;
    try {
      Files.deleteIfExists(jsa);
      Path data = Files.createTempDirectory(dir, "data");
      List<String> cmd = new ArrayList<>(List.of(ItEnv.javaExecutable()));
      cmd.addAll(NodeProcess.DEFAULT_JVM_OPTS);
      cmd.addAll(List.of("-XX:ArchiveClassesAtExit=" + jsa, "-cp", ItEnv.nodeClasspath(), NodeProcess.MAIN_CLASS,
          "--host", "127.0.0.1", "--port", "0", "--management-port", "off", "--data-dir", data.toString(),
          "--long-poll-timeout", "200ms"));
      p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      URI base = awaitReady(p, log, Duration.ofSeconds(90));
      train(base);
      p.destroy(); // SIGTERM: a normal exit, which writes the archive
      if (!p.waitFor(60, TimeUnit.SECONDS)) throw new IOException("the training node did not stop within 60 s");
      if (!Files.isRegularFile(jsa) || Files.size(jsa) == 0) throw new IOException("no archive written (exit " + p.exitValue() + ")");
      System.out.printf("NodeCds: class-data archive for server JVMs built in %d ms (%d KiB): %s%n",
          (System.nanoTime() - t0) / 1_000_000, Files.size(jsa) / 1024, jsa);
      return Optional.of(jsa);
    } catch (IOException | RuntimeException e) {
      System.out.println("NodeCds: no class-data archive, server JVMs start without one: " + e + " (log " + log + ")");
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    } finally {
      if (p != null) p.destroyForcibly();
    }
  }

  private static URI awaitReady(Process p, Path log, Duration within) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    while (System.nanoTime() < deadline) {
      Matcher m = READY.matcher(Files.readString(log, StandardCharsets.UTF_8));
      if (m.find()) return URI.create(m.group(1));
      if (!p.isAlive()) throw new IOException("the training node exited with " + p.exitValue() + " before it was ready");
      p.waitFor(100, TimeUnit.MILLISECONDS);
    }
    throw new IOException("the training node was not ready within " + within);
  }

  /** A few requests of each kind, so that the classes of every path are loaded (and archived). */
  private static void train(URI base) throws IOException, InterruptedException {
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    for (String type : List.of("text/plain", "application/json")) {
      URI s = base.resolve("/v1/stream/cds-" + (type.contains("json") ? "json" : "text"));
      String body = type.contains("json") ? "[{\"a\":1}]" : "hello";
      send(http, newRequest(s).PUT(HttpRequest.BodyPublishers.noBody()).header("Content-Type", type));
      for (int i = 0; i < 20; i++) {
        send(http, newRequest(s).POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", type));
      }
      send(http, newRequest(URI.create(s + "?offset=-1")).GET());
      send(http, newRequest(URI.create(s + "?offset=now&live=long-poll")).GET());
      // An SSE response never ends by itself: take its head and first bytes, then hang up.
      HttpResponse<java.io.InputStream> sse = http.send(newRequest(URI.create(s + "?offset=-1&live=sse")).GET().build(),
          HttpResponse.BodyHandlers.ofInputStream());
      try (java.io.InputStream in = sse.body()) {
        in.read(new byte[256]);
      }
      send(http, newRequest(s).method("HEAD", HttpRequest.BodyPublishers.noBody()));
      send(http, newRequest(s).DELETE());
    }
  }

  private static HttpRequest.Builder newRequest(URI uri) {
    return HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10));
  }

  private static void send(HttpClient http, HttpRequest.Builder b) throws IOException, InterruptedException {
    try {
      http.send(b.build(), HttpResponse.BodyHandlers.discarding());
    } catch (java.net.http.HttpTimeoutException e) {
      // Training only loads classes; a slow answer is not an error here.
    }
  }
}
