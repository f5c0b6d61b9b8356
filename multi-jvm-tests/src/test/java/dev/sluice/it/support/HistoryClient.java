package dev.sluice.it.support;

import dev.sluice.it.support.AppendHistory.Attempt;
import dev.sluice.it.support.AppendHistory.Outcome;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A client of a {@link ClusterOfThree} that records every append it makes in an
 * {@link AppendHistory}. One kept-alive connection per node ({@link RawHttp}), so a request
 * that could not connect is known not to have been sent, and every read is bounded by the
 * timeout (a paused node never hangs a client). Not thread-safe: one per client thread.
 */
public final class HistoryClient implements AutoCloseable {
  public static final String OCTETS = "application/octet-stream";
  /** A kept-alive connection idle this long is reopened: the server may have closed it meanwhile. */
  private static final long MAX_IDLE_NANOS = Duration.ofSeconds(10).toNanos();

  private final ClusterOfThree cluster;
  private final AppendHistory history;
  private final int timeoutMillis;
  private final RawHttp[] conns = new RawHttp[ClusterOfThree.SIZE];
  private final URI[] connUris = new URI[ClusterOfThree.SIZE];
  private final long[] lastUsed = new long[ClusterOfThree.SIZE];

  public HistoryClient(ClusterOfThree cluster, AppendHistory history, Duration timeout) {
    this.cluster = cluster;
    this.history = history;
    this.timeoutMillis = (int) timeout.toMillis();
  }

  public AppendHistory history() {
    return history;
  }

  /** A plain append of a new token through {@code node}; recorded. */
  public Attempt append(String stream, int node, int length) {
    return append(stream, node, history.newToken(), length, null, -1);
  }

  /**
   * An append of {@code token} through {@code node}, with producer headers ({@code Producer-Epoch: 0})
   * if {@code producerId} is not null; recorded.
   */
  public Attempt append(String stream, int node, String token, int length, String producerId, long seq) {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Content-Type", OCTETS);
    if (producerId != null) {
      headers.put("Producer-Id", producerId);
      headers.put("Producer-Epoch", "0");
      headers.put("Producer-Seq", Long.toString(seq));
    }
    long start = System.nanoTime();
    RawHttp.Response r;
    try {
      r = request(node, "POST", "/v1/stream/" + stream, headers, AppendHistory.body(token, length));
    } catch (NotConnected e) {
      return record(stream, token, length, node, producerId, seq, start, Outcome.NOT_SENT, 0, -1, e.getMessage());
    } catch (IOException e) {
      return record(stream, token, length, node, producerId, seq, start, Outcome.UNKNOWN, 0, -1, e.toString());
    }
    int s = r.status();
    if (s >= 200 && s < 300) {
      boolean duplicate = producerId != null && s == 204;
      return record(stream, token, length, node, producerId, seq, start, duplicate ? Outcome.DUPLICATE : Outcome.ACKED, s,
          AppendHistory.position(r.header("Stream-Next-Offset")), null);
    }
    Outcome o = (s >= 400 && s < 500) || s == 507 ? Outcome.REJECTED : Outcome.UNKNOWN;
    return record(stream, token, length, node, producerId, seq, start, o, s, -1, text(r));
  }

  /** {@code PUT} of an empty octet-stream stream; the status, or -1 if there was no answer. */
  public int create(String stream, int node) {
    try {
      return request(node, "PUT", "/v1/stream/" + stream, Map.of("Content-Type", OCTETS), new byte[0]).status();
    } catch (IOException e) {
      return -1;
    }
  }

  /**
   * Reads the whole stream through {@code node} (from {@code offset=-1}, following
   * {@code Stream-Next-Offset} until {@code Stream-Up-To-Date}), retrying a 503 (the node's copy
   * catching up) until {@code within} has passed.
   */
  public byte[] readAll(String stream, int node, Duration within) {
    long deadline = System.nanoTime() + within.toNanos();
    String last = null;
    while (true) {
      try {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String offset = "-1";
        for (int page = 0; page < 100_000; page++) {
          RawHttp.Response r = request(node, "GET", "/v1/stream/" + stream + "?offset=" + offset, Map.of(), null);
          if (r.status() != 200) throw new IOException("GET " + stream + "?offset=" + offset + " via node " + node + ": " + r);
          out.write(r.body());
          String next = r.header("Stream-Next-Offset");
          if (AppendHistory.position(next) != out.size()) {
            throw new AssertionError("GET " + stream + " via node " + node + ": Stream-Next-Offset " + next + " after " + out.size() + " bytes");
          }
          if ("true".equalsIgnoreCase(r.header("Stream-Up-To-Date"))) return out.toByteArray();
          offset = next;
        }
        throw new AssertionError("reading " + stream + " via node " + node + " never got up to date");
      } catch (IOException e) {
        last = e.toString();
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("could not read " + stream + " through node " + node + " within " + within + ": " + last);
      }
      java.util.concurrent.locks.LockSupport.parkNanos(200_000_000L);
    }
  }

  private Attempt record(String stream, String token, int length, int node, String producerId, long seq, long start,
                         Outcome outcome, int status, long nextPos, String detail) {
    Attempt a = new Attempt(stream, token, length, node, producerId, seq, start, System.nanoTime(), outcome, status, nextPos, detail);
    history.record(a);
    return a;
  }

  /** Thrown when no connection could be opened: nothing of the request was sent. */
  private static final class NotConnected extends IOException {
    NotConnected(String message) {
      super(message);
    }
  }

  private RawHttp.Response request(int node, String method, String path, Map<String, String> headers, byte[] body) throws IOException {
    NodeProcess np = cluster.node(node);
    if (np == null) throw new NotConnected("node " + node + " never started");
    URI base = np.baseUri();
    if (conns[node] != null && (!base.equals(connUris[node]) || System.nanoTime() - lastUsed[node] > MAX_IDLE_NANOS)) {
      drop(node);
    }
    if (conns[node] == null) {
      try {
        conns[node] = new RawHttp(base, timeoutMillis);
        connUris[node] = base;
      } catch (IOException e) {
        throw new NotConnected("cannot connect to node " + node + " at " + base + ": " + e.getMessage());
      }
    }
    try {
      RawHttp.Response r = conns[node].send(method, path, headers, body);
      lastUsed[node] = System.nanoTime();
      if ("close".equalsIgnoreCase(r.header("Connection"))) drop(node);
      return r;
    } catch (IOException | RuntimeException e) {
      drop(node);
      throw e instanceof IOException io ? io : new IOException(e);
    }
  }

  private void drop(int node) {
    if (conns[node] != null) {
      try {
        conns[node].close();
      } catch (IOException ignored) {
        // gone anyway
      }
      conns[node] = null;
    }
  }

  private static String text(RawHttp.Response r) {
    String t = new String(r.body(), java.nio.charset.StandardCharsets.UTF_8).strip();
    return t.length() > 120 ? t.substring(0, 120) : t;
  }

  @Override
  public void close() {
    for (int i = 0; i < conns.length; i++) drop(i);
  }
}
