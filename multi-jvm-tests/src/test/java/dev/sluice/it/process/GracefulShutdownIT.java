package dev.sluice.it.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.sluice.it.support.ClusterOfThree;
import dev.sluice.it.support.ItEnv;
import dev.sluice.it.support.NodeProcess;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
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
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SIGTERM with live readers connected (README "Shutdown"): every parked long-poll is answered
 * {@code 204} with the stream's current {@code Stream-Next-Offset} (the protocol's long-poll timeout
 * answer), every SSE response ends with its terminating chunk, every connection then ends with a
 * FIN, never a TCP reset, and the process exits within the configured shutdown bound. Repeated, as
 * the resets it guards against came and went with timing (4 of 6 long-polls, 3 of 6 SSE readers).
 */
class GracefulShutdownIT {
  static final int LONG_POLLS = 6;
  static final int SSE_READERS = 6;
  static final int APPENDERS = 4;
  static final int ROUNDS = 3;
  /** Long enough that no long-poll times out by itself while the test sets up. */
  static final Duration LONG_POLL_TIMEOUT = Duration.ofSeconds(60);
  static final Duration SHUTDOWN_BOUND = Duration.ofSeconds(10);
  /** Readers and writers block on their sockets: one thread each, never a small shared pool. */
  private static final ExecutorService BLOCKING = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "graceful-shutdown-client");
    t.setDaemon(true);
    return t;
  });
  private static final Pattern LIVE = Pattern.compile("^sluice_live_readers\\{mode=\"([a-z-]+)\"} ([0-9.]+)$", Pattern.MULTILINE);

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void sigtermEndsEveryLongPollAndSseReaderCleanly() throws Exception {
    // One node per round, started together: a round's shutdown needs a fresh process, and starting
    // them one after the other would triple the startup time of this test.
    List<CompletableFuture<NodeProcess>> starting = new ArrayList<>();
    for (int round = 1; round <= ROUNDS; round++) {
      var dataDir = ItEnv.freshDataDir("GracefulShutdownIT-round" + round);
      starting.add(CompletableFuture.supplyAsync(() -> NodeProcess.builder("GracefulShutdownIT", dataDir)
          .longPollTimeout(LONG_POLL_TIMEOUT).jvmOpts("-Dsluice.shutdown.timeout=" + SHUTDOWN_BOUND.toSeconds() + "s").start()));
    }
    List<NodeProcess> nodes = new ArrayList<>();
    List<Set<String>> acked = new ArrayList<>();
    List<CompletableFuture<NodeProcess>> restarted = new ArrayList<>();
    try {
      for (var s : starting) nodes.add(s.get(120, TimeUnit.SECONDS));
      for (int round = 1; round <= ROUNDS; round++) {
        acked.add(shutDownWithReaders(round, nodes.get(round - 1)));
      }
      // Appends in flight at SIGTERM were finished, not dropped: every acknowledged one is there
      // after a restart on the same data directory.
      for (var n : nodes) {
        restarted.add(CompletableFuture.supplyAsync(() -> NodeProcess.builder("GracefulShutdownIT-restart", n.dataDir()).start()));
      }
      for (int round = 1; round <= ROUNDS; round++) {
        NodeProcess again = restarted.get(round - 1).get(120, TimeUnit.SECONDS);
        String content = readAll(again.streamUri("appends-" + round));
        List<String> lost = acked.get(round - 1).stream().filter(t -> !content.contains(t)).toList();
        assertTrue(lost.isEmpty(), "round " + round + ": acknowledged appends missing after the restart: " + lost);
      }
    } finally {
      for (var s : starting) s.thenAccept(NodeProcess::close);
      for (var s : restarted) s.thenAccept(NodeProcess::close);
    }
  }

  /**
   * A node of a replicated cluster whose peer is gone (SIGKILL) still stops within the bound: before
   * the cluster phases were fitted into it, leaving waited on the gone peer (Pekko's 10 s per phase)
   * and such a node had not exited 7 s after SIGTERM.
   */
  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void aNodeWhosePeerIsGoneStopsWithinTheBound() throws Exception {
    Path conf = ItEnv.freshDataDir("GracefulShutdownIT-peer-gone-conf").resolve("shutdown.conf");
    Files.createDirectories(conf.getParent());
    // Crash downing off: it removes a killed peer within ~0.5 s (its port refuses), and the 100 ms
    // polling below then sometimes never saw it unreachable (seen once: both members left, Up and
    // reachable). The scenario is a peer that is gone but not yet downed, as a powered-off host or a
    // partition is; the failure detector alone keeps it unreachable for a second or more.
    Files.writeString(conf, "sluice.shutdown.timeout = " + SHUTDOWN_BOUND.toSeconds() + "s\n"
        + "sluice.cluster.crash-downing.enabled = false\n");
    try (ClusterOfThree cluster = new ClusterOfThree("GracefulShutdownIT-peer-gone", "--config", conf.toString())) {
      cluster.startAll();
      cluster.awaitUp(ClusterOfThree.SIZE, Duration.ofSeconds(60));
      cluster.node(2).kill();
      awaitUnreachablePeer(cluster);
      NodeProcess node = cluster.node(0);
      long t0 = System.nanoTime();
      node.signalTerm();
      boolean exited = node.awaitExit(SHUTDOWN_BOUND.plusSeconds(10));
      long millis = (System.nanoTime() - t0) / 1_000_000;
      System.out.printf("graceful-shutdown: peer gone: exit after %d ms (%s)%n", millis, node.status());
      assertTrue(exited, "still running " + millis + " ms after SIGTERM (bound " + SHUTDOWN_BOUND + "); log " + node.logFile());
      // 143: the JVM ended through its SIGTERM path; 1 would be the bound's watchdog halting it.
      assertEquals(143, node.exitCode(), "not a graceful exit; log " + node.logFile());
      assertTrue(millis < SHUTDOWN_BOUND.toMillis(), "exited after " + millis + " ms, over the bound " + SHUTDOWN_BOUND);
    }
  }

  /** Until node 0 has noticed the killed peer (no convergence from then on: leaving cannot complete normally). */
  private static void awaitUnreachablePeer(ClusterOfThree cluster) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    String seen = null;
    while (System.nanoTime() < deadline) {
      seen = cluster.membership(0);
      if (seen != null && seen.contains("\"reachable\":false")) return;
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100)); // pace the polling of the condition
    }
    fail("node 0 did not see its killed peer unreachable within 30 s: " + seen);
  }

  /** The stream's whole content, following Stream-Next-Offset until Stream-Up-To-Date. */
  private String readAll(URI stream) throws Exception {
    StringBuilder all = new StringBuilder();
    String offset = "-1";
    for (int i = 0; i < 1000; i++) {
      HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(stream + "?offset=" + offset)));
      assertEquals(200, r.statusCode(), r.body());
      all.append(r.body());
      offset = r.headers().firstValue("Stream-Next-Offset").orElseThrow();
      if (r.headers().firstValue("Stream-Up-To-Date").orElse("").equals("true")) return all.toString();
    }
    throw new AssertionError("stream " + stream + " never up to date");
  }

  /** @return the appends acknowledged by the node during the round */
  private Set<String> shutDownWithReaders(int round, NodeProcess node) throws Exception {
    URI stream = node.streamUri("shutdown-" + round);
    assertEquals(201, send(HttpRequest.newBuilder(stream).header("Content-Type", "text/plain")
        .PUT(HttpRequest.BodyPublishers.ofString("first"))).statusCode());
    String tail = send(HttpRequest.newBuilder(stream).method("HEAD", HttpRequest.BodyPublishers.noBody()))
        .headers().firstValue("Stream-Next-Offset").orElseThrow();

    List<CompletableFuture<Ending>> readers = new ArrayList<>();
    for (int i = 0; i < LONG_POLLS; i++) readers.add(Ending.read(stream, "offset=" + tail + "&live=long-poll"));
    for (int i = 0; i < SSE_READERS; i++) readers.add(Ending.read(stream, "offset=" + tail + "&live=sse"));
    awaitLiveReaders(node, readers);
    // Appends go to another stream: the parked readers must see no data, only the shutdown.
    URI appendStream = node.streamUri("appends-" + round);
    assertEquals(201, send(HttpRequest.newBuilder(appendStream).header("Content-Type", "text/plain")
        .PUT(HttpRequest.BodyPublishers.noBody())).statusCode());
    Appenders appenders = Appenders.start(http, appendStream, round, APPENDERS);

    long t0 = System.nanoTime();
    node.signalTerm();
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < readers.size(); i++) {
      Ending e = readers.get(i).get(30, TimeUnit.SECONDS);
      String why = i < LONG_POLLS ? e.problemAsLongPoll(tail) : e.problemAsSse();
      if (why != null) problems.add((i < LONG_POLLS ? "long-poll " : "sse ") + i + ": " + why);
    }
    long readersMillis = (System.nanoTime() - t0) / 1_000_000;
    boolean exited = node.awaitExit(SHUTDOWN_BOUND.plusSeconds(5));
    long millis = (System.nanoTime() - t0) / 1_000_000;
    appenders.awaitStopped();
    System.out.printf("graceful-shutdown: round %d: %d readers ended within %d ms, exit after %d ms (%s), problems %s,"
        + " %d appends acknowledged%n", round, readers.size(), readersMillis, millis, node.status(), problems, appenders.acked.size());
    assertTrue(problems.isEmpty(), "round " + round + ": readers did not end cleanly: " + problems + "\nlog " + node.logFile());
    assertTrue(exited, "round " + round + ": still running " + millis + " ms after SIGTERM; log " + node.logFile());
    return appenders.acked;
  }

  /**
   * Writers appending unique tokens, one request at a time each, until the node stops answering
   * them (a refusal, a closed connection): so appends are in flight when SIGTERM arrives.
   */
  private static final class Appenders {
    final Set<String> acked = ConcurrentHashMap.newKeySet();
    final List<CompletableFuture<Void>> loops = new ArrayList<>();

    static Appenders start(HttpClient http, URI stream, int round, int count) throws InterruptedException {
      Appenders a = new Appenders();
      CountDownLatch running = new CountDownLatch(count);
      for (int w = 0; w < count; w++) {
        int writer = w;
        a.loops.add(CompletableFuture.runAsync(() -> {
          for (int seq = 0; ; seq++) {
            String token = "|r" + round + "w" + writer + "s" + seq + "|";
            try {
              int status = http.send(HttpRequest.newBuilder(stream).header("Content-Type", "text/plain")
                  .timeout(Duration.ofSeconds(20)).POST(HttpRequest.BodyPublishers.ofString(token)).build(),
                  HttpResponse.BodyHandlers.discarding()).statusCode();
              if (status / 100 != 2) return;
              a.acked.add(token);
              if (seq == 0) running.countDown();
            } catch (IOException e) {
              return;
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              return;
            }
          }
        }, BLOCKING));
      }
      assertTrue(running.await(30, TimeUnit.SECONDS), "appenders not all running within 30 s");
      return a;
    }

    void awaitStopped() throws Exception {
      CompletableFuture.allOf(loops.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    }
  }

  /** Until the node reports every reader waiting (metrics), or one of them already ended. */
  private void awaitLiveReaders(NodeProcess node, List<CompletableFuture<Ending>> readers) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    String last = "";
    while (System.nanoTime() < deadline) {
      for (var r : readers) {
        if (r.isDone()) fail("a reader ended before the shutdown: " + r.get());
      }
      last = send(HttpRequest.newBuilder(node.baseUri().resolve("/metrics"))).body();
      int longPolls = 0;
      int sse = 0;
      Matcher m = LIVE.matcher(last);
      while (m.find()) {
        int n = (int) Double.parseDouble(m.group(2));
        if (m.group(1).equals("long-poll")) longPolls = n;
        else if (m.group(1).equals("sse")) sse = n;
      }
      if (longPolls == LONG_POLLS && sse == SSE_READERS) return;
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50)); // pace the polling of the condition
    }
    fail("readers not all live within 30 s; metrics:\n" + last);
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return http.send(request.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /**
   * How one reader's connection ended, read off a raw socket so that a reset is seen as such: the
   * response (status, Stream-Next-Offset, whether a chunked body was complete), then what the
   * connection did after it: {@code eof} (a FIN) or the error (a reset).
   */
  record Ending(int status, String nextOffset, boolean bodyComplete, String afterResponse, String error) {

    static CompletableFuture<Ending> read(URI stream, String query) {
      return CompletableFuture.supplyAsync(() -> {
        int status = -1;
        String next = null;
        boolean complete = false;
        try (Socket s = new Socket()) {
          s.connect(new InetSocketAddress(stream.getHost(), stream.getPort()), 5000);
          s.setSoTimeout(90_000);
          s.getOutputStream().write(("GET " + stream.getRawPath() + "?" + query + " HTTP/1.1\r\nHost: "
              + stream.getHost() + ":" + stream.getPort() + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
          InputStream in = new BufferedInputStream(s.getInputStream());
          status = Integer.parseInt(line(in).split(" ")[1]);
          boolean chunked = false;
          long length = -1;
          for (String h = line(in); !h.isEmpty(); h = line(in)) {
            String name = h.substring(0, h.indexOf(':')).trim().toLowerCase(Locale.ROOT);
            String value = h.substring(h.indexOf(':') + 1).trim();
            if (name.equals("stream-next-offset")) next = value;
            if (name.equals("transfer-encoding") && value.equalsIgnoreCase("chunked")) chunked = true;
            if (name.equals("content-length")) length = Long.parseLong(value);
          }
          if (chunked) {
            for (int size = chunkSize(in); size > 0; size = chunkSize(in)) {
              in.readNBytes(size + 2);
            }
            while (!line(in).isEmpty()) { /* trailers */ }
            complete = true;
          } else if (length >= 0) {
            complete = in.readNBytes((int) length).length == length;
          }
          // The node closes the connection as it stops: a FIN reads as end of stream.
          while (in.read() >= 0) { /* drain */ }
          return new Ending(status, next, complete, "eof", null);
        } catch (IOException | RuntimeException e) {
          return new Ending(status, next, complete, null, e.toString());
        }
      }, BLOCKING);
    }

    String problemAsLongPoll(String tail) {
      if (error != null) return "status " + status + ", then " + error;
      if (status != 204) return "status " + status + " (expected 204)";
      if (!tail.equals(nextOffset)) return "Stream-Next-Offset " + nextOffset + " (expected " + tail + ")";
      return null;
    }

    String problemAsSse() {
      if (error != null) return "status " + status + ", body complete " + bodyComplete + ", then " + error;
      if (status != 200) return "status " + status + " (expected 200)";
      if (!bodyComplete) return "chunked body ended without its last chunk";
      return null;
    }

    private static int chunkSize(InputStream in) throws IOException {
      return Integer.parseInt(line(in).split(";")[0].trim(), 16);
    }

    private static String line(InputStream in) throws IOException {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      for (int c = in.read(); c != '\n'; c = in.read()) {
        if (c < 0) throw new IOException("end of stream in the middle of a response");
        if (c != '\r') b.write(c);
      }
      return b.toString(StandardCharsets.US_ASCII);
    }
  }
}
