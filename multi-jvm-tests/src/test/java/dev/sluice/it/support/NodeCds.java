package dev.sluice.it.support;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * One class-data sharing archive for every server JVM the integration tests start, as
 * {@code bin/sluice} keeps one for its nodes (README "The first minute after start"): a started JVM
 * maps the classes it loads (Pekko, Scala, RocksDB, Sluice) pre-parsed and pre-verified instead of
 * reading them from the jars. Measured with {@code bin/sluice} on this 2-core machine: ready in
 * 5.3-5.6 s with an archive, 7.9-9.2 s without; the ITs start dozens of server JVMs, often three
 * at once on two cores.
 *
 * <p>Built once per build, on first use: a training node (a {@link NodeProcess} like every other, plus
 * {@code -XX:ArchiveClassesAtExit}) serves a few requests of
 * each kind and is stopped with SIGTERM, which writes the archive. Nothing depends on it: if training
 * fails the nodes start without it, and a JVM that finds the archive unusable ignores it
 * ({@code -Xshare:auto}, the default). {@code -Dsluice.it.cds=off} turns it off.
 *
 * <p>Thread-safe.
 */
public final class NodeCds {
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
    long t0 = System.nanoTime();
    NodeProcess node = null;
    try {
      Files.deleteIfExists(jsa);
      // NodeProcess maps no archive into a JVM that writes one (see NodeProcess#command).
      node = NodeProcess.builder("NodeCds-training", ItEnv.freshDataDir("NodeCds-training"))
          .longPollTimeout(Duration.ofMillis(200)).readyTimeout(Duration.ofSeconds(90))
          .jvmOpts("-XX:ArchiveClassesAtExit=" + jsa).start();
      train(node.baseUri());
      int exit = node.stop(Duration.ofSeconds(60)); // SIGTERM: a normal exit, which writes the archive
      if (!Files.isRegularFile(jsa) || Files.size(jsa) == 0) throw new IOException("no archive written (exit " + exit + ")");
      System.out.printf("NodeCds: class-data archive for server JVMs built in %d ms (%d KiB): %s%n",
          (System.nanoTime() - t0) / 1_000_000, Files.size(jsa) / 1024, jsa);
      return Optional.of(jsa);
    } catch (IOException | RuntimeException e) {
      System.out.println("NodeCds: no class-data archive, server JVMs start without one: " + e
          + (node != null ? " (log " + node.logFile() + ")" : ""));
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    } finally {
      if (node != null) node.close();
    }
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
