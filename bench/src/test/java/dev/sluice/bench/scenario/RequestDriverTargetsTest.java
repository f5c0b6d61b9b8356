package dev.sluice.bench.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.bench.http.Connection;
import dev.sluice.bench.http.EventLoop;
import dev.sluice.bench.http.Target;
import dev.sluice.bench.metrics.LatencyRecorder;
import dev.sluice.bench.metrics.RequestStats;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The driver against three local HTTP stubs (127.0.0.1, ephemeral ports): connections spread evenly, outcomes per target. */
class RequestDriverTargetsTest {

  private final List<Stub> stubs = new ArrayList<>();

  @AfterEach
  void closeStubs() throws IOException {
    for (Stub s : stubs) s.close();
  }

  @Test
  void spreadsConnectionsEvenlyAndCountsEachTarget() throws Exception {
    List<Target> targets = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Stub s = new Stub();
      stubs.add(s);
      targets.add(Target.parse("http://127.0.0.1:" + s.port()));
    }
    StreamPicker picker = new StreamPicker(10, 3);
    RequestDriver.Source source = new RequestDriver.Source() {
      @Override
      public ByteBuffer render(Connection c, long k) {
        throw new AssertionError("the target-aware render must be used");
      }

      @Override
      public ByteBuffer render(Connection c, int target, long k) {
        return ByteBuffer.wrap(targets.get(target).request("POST", "/v1/stream/s" + picker.next(c, target), new byte[] {1, 2, 3}));
      }
    };
    List<RequestDriver.PerTarget> perTarget = new ArrayList<>();
    for (Target t : targets) perTarget.add(new RequestDriver.PerTarget(new RequestStats(), new LatencyRecorder(t.hostHeader())));
    RequestStats total = new RequestStats();
    int limit = 90;
    try (EventLoop loop = new EventLoop("test-io")) {
      RequestDriver d = new RequestDriver(loop, targets, perTarget, 7, limit, 0, source, s -> s == 204, total,
          new LatencyRecorder("all"), 10_000_000_000L);
      d.start();
      assertTrue(d.awaitDone(30_000), "all requests answered");
      assertEquals(0, d.stop(1000));
    }
    assertEquals(limit, total.ok());
    assertEquals(0, total.errors());
    long sum = 0;
    for (int t = 0; t < 3; t++) {
      RequestStats st = perTarget.get(t).stats();
      assertEquals(0, st.errors());
      assertTrue(st.ok() > 0, "target " + t + " got requests");
      sum += st.ok();
      assertEquals(st.ok(), stubs.get(t).requests.get(), "target " + t + " counted what its server answered");
      for (String host : stubs.get(t).hosts) assertEquals(targets.get(t).hostHeader(), host);
    }
    assertEquals(limit, sum);
    // 7 connections over 3 targets: 3, 2, 2 (each sends at once, so each was accepted before the run could end).
    assertEquals(List.of(3, 2, 2), List.of(stubs.get(0).accepted.get(), stubs.get(1).accepted.get(), stubs.get(2).accepted.get()));
  }

  /** Answers every request with 204; records Host headers. One thread per connection. */
  private static final class Stub implements AutoCloseable {
    final ServerSocket server;
    final AtomicInteger accepted = new AtomicInteger();
    final AtomicInteger requests = new AtomicInteger();
    final Queue<String> hosts = new ConcurrentLinkedQueue<>();
    final List<Socket> sockets = new ArrayList<>();

    Stub() throws IOException {
      server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
      Thread t = new Thread(this::acceptLoop, "stub-accept");
      t.setDaemon(true);
      t.start();
    }

    int port() {
      return server.getLocalPort();
    }

    private void acceptLoop() {
      try {
        while (true) {
          Socket s = server.accept();
          accepted.incrementAndGet();
          synchronized (sockets) {
            sockets.add(s);
          }
          Thread t = new Thread(() -> serve(s), "stub-conn");
          t.setDaemon(true);
          t.start();
        }
      } catch (IOException closed) {
        // test over
      }
    }

    private void serve(Socket s) {
      try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
        while (true) {
          String head = readHead(in);
          if (head == null) return;
          int length = 0;
          for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon < 0) continue;
            String name = line.substring(0, colon).trim();
            String value = line.substring(colon + 1).trim();
            if (name.equalsIgnoreCase("Host")) hosts.add(value);
            if (name.equalsIgnoreCase("Content-Length")) length = Integer.parseInt(value);
          }
          in.readNBytes(length);
          requests.incrementAndGet();
          out.write("HTTP/1.1 204 No Content\r\nStream-Next-Offset: 1\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
          out.flush();
        }
      } catch (IOException e) {
        // connection closed by the client
      }
    }

    private static String readHead(InputStream in) throws IOException {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      int matched = 0;
      while (matched < 4) {
        int c = in.read();
        if (c < 0) return null;
        b.write(c);
        matched = (c == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (c == '\r' ? 1 : 0);
      }
      return b.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
      server.close();
      synchronized (sockets) {
        for (Socket s : sockets) s.close();
      }
    }
  }
}
