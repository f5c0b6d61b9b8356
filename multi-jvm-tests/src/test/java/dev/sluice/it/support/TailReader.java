package dev.sluice.it.support;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A live reader of one stream (long-poll or SSE) through the nodes of a {@link ClusterOfThree}, in
 * order of preference: it reads through the first running node of its list and, when that node
 * fails it (connection refused or reset, no byte for {@value #STALL_MILLIS} ms, a 503), continues
 * from its last confirmed offset through the next one. Every response's offset must continue
 * exactly where the bytes received so far end (no gap, no overlap), checked as it reads; the
 * bytes it received are then compared with the final stream ({@link AppendHistory#checkPrefix}).
 *
 * <p>Raw sockets with a read timeout, so a paused node never hangs the reader. Thread-safe.
 */
public final class TailReader implements AutoCloseable {
  public enum Mode { LONG_POLL, SSE }

  /** SSE keep-alives come every long-poll timeout (500 ms in these tests); long-polls end as often. */
  static final int STALL_MILLIS = 5000;
  private static final Pattern NEXT = Pattern.compile("\"streamNextOffset\"\\s*:\\s*\"([^\"]+)\"");

  private final ClusterOfThree cluster;
  private final String stream;
  private final Mode mode;
  private final int[] nodes;
  private final ByteArrayOutputStream received = new ByteArrayOutputStream();
  private final ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
  private final Thread thread;
  private volatile boolean stop;
  private volatile Socket current;
  private volatile int reconnects;
  private String offset = "-1";
  private String cursor;

  public TailReader(ClusterOfThree cluster, String stream, Mode mode, int... nodes) {
    this.cluster = cluster;
    this.stream = stream;
    this.mode = mode;
    this.nodes = nodes.clone();
    this.thread = new Thread(this::run, "tail-" + mode + "-" + stream);
    this.thread.setDaemon(true);
  }

  public TailReader start() {
    thread.start();
    return this;
  }

  public String stream() {
    return stream;
  }

  public String describe() {
    return mode + " reader of " + stream + " through nodes " + java.util.Arrays.toString(nodes);
  }

  public byte[] received() {
    synchronized (received) {
      return received.toByteArray();
    }
  }

  public int size() {
    synchronized (received) {
      return received.size();
    }
  }

  /** Responses or connections that failed (each followed by a new request, maybe through another node). */
  public int reconnects() {
    return reconnects;
  }

  public List<String> problems() {
    return new ArrayList<>(problems);
  }

  /** Waits until the reader holds {@code bytes} bytes or {@code within} passed; true if it does. */
  public boolean awaitSize(int bytes, Duration within) {
    long deadline = System.nanoTime() + within.toNanos();
    while (size() < bytes) {
      if (System.nanoTime() > deadline || !thread.isAlive()) return false;
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
    }
    return true;
  }

  private void run() {
    int idx = 0;
    while (!stop) {
      int node = nodes[idx % nodes.length];
      NodeProcess np = cluster.node(node);
      if (np == null || !np.isAlive()) {
        idx++;
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        continue;
      }
      try {
        if (mode == Mode.SSE) sse(np.baseUri());
        else longPolls(np.baseUri());
      } catch (IOException | RuntimeException e) {
        if (stop) return;
        idx++;
        reconnects++;
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
      }
    }
  }

  private Socket connect(URI base) throws IOException {
    Socket s = new Socket();
    current = s;
    if (stop) throw new IOException("stopped");
    s.connect(new InetSocketAddress(base.getHost(), base.getPort()), 2000);
    s.setSoTimeout(STALL_MILLIS);
    return s;
  }

  private void longPolls(URI base) throws IOException {
    try (Socket s = connect(base)) {
      InputStream in = new BufferedInputStream(s.getInputStream());
      OutputStream out = s.getOutputStream();
      while (!stop) {
        String q = "/v1/stream/" + stream + "?offset=" + offset + "&live=long-poll" + (cursor == null ? "" : "&cursor=" + cursor);
        out.write(("GET " + q + " HTTP/1.1\r\nHost: " + base.getHost() + ":" + base.getPort() + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        Head h = head(in);
        byte[] body = body(in, h);
        if (h.status == 503) throw new IOException("503");
        if (h.status != 200 && h.status != 204) {
          problems.add("long-poll " + q + " via " + base + ": status " + h.status + " " + new String(body, StandardCharsets.UTF_8));
          throw new IOException("status " + h.status);
        }
        String next = h.header("stream-next-offset");
        accept(body, next, "long-poll " + q + " via " + base + " (" + h.status + " " + h.headers + ")");
        if (h.header("stream-cursor") != null) cursor = h.header("stream-cursor");
        if ("close".equalsIgnoreCase(h.header("connection"))) return;
      }
    }
  }

  private void sse(URI base) throws IOException {
    try (Socket s = connect(base)) {
      InputStream raw = new BufferedInputStream(s.getInputStream());
      OutputStream out = s.getOutputStream();
      String q = "/v1/stream/" + stream + "?offset=" + offset + "&live=sse";
      out.write(("GET " + q + " HTTP/1.1\r\nHost: " + base.getHost() + ":" + base.getPort()
          + "\r\nAccept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      Head h = head(raw);
      if (h.status != 200) {
        byte[] body = body(raw, h);
        if (h.status != 503) problems.add("sse " + q + " via " + base + ": status " + h.status + " " + new String(body, StandardCharsets.UTF_8));
        throw new IOException("status " + h.status);
      }
      boolean base64 = "base64".equalsIgnoreCase(h.header("stream-sse-data-encoding"));
      InputStream in = "chunked".equalsIgnoreCase(h.header("transfer-encoding")) ? new Chunked(raw) : raw;
      String event = null;
      StringBuilder data = new StringBuilder();
      byte[] pending = null;
      while (!stop) {
        String line = line(in);
        if (line == null) return; // the server ended the response (connection cycling)
        if (line.isEmpty()) {
          if ("data".equals(event)) {
            pending = base64 ? Base64.getDecoder().decode(data.toString()) : data.toString().getBytes(StandardCharsets.UTF_8);
          } else if ("control".equals(event)) {
            Matcher m = NEXT.matcher(data);
            if (!m.find()) {
              problems.add("sse control event without streamNextOffset: " + data);
              throw new IOException("bad control event");
            }
            accept(pending == null ? new byte[0] : pending, m.group(1), "sse " + q + " via " + base + " (control " + data + ")");
            pending = null;
          }
          event = null;
          data.setLength(0);
        } else if (line.startsWith("event:")) {
          event = line.substring(6).trim();
        } else if (line.startsWith("data:")) {
          if (data.length() > 0) data.append('\n');
          data.append(line.substring(5));
        }
      }
    }
  }

  /** Appends {@code bytes}, which the server says end at {@code next}; a gap or overlap is a problem. */
  private void accept(byte[] bytes, String next, String via) throws IOException {
    long pos = AppendHistory.position(next);
    synchronized (received) {
      if (pos != received.size() + bytes.length) {
        problems.add(stream + ": " + via + " delivered " + bytes.length + " bytes after " + received.size()
            + " with next offset " + next + " (gap or overlap)");
        throw new IOException("offset mismatch");
      }
      received.write(bytes);
    }
    offset = next;
  }

  private record Head(int status, Map<String, String> headers) {
    String header(String name) {
      return headers.get(name);
    }
  }

  private static Head head(InputStream in) throws IOException {
    String status = line(in);
    if (status == null) throw new IOException("connection closed before a response");
    Map<String, String> h = new TreeMap<>();
    for (String l = line(in); l != null && !l.isEmpty(); l = line(in)) {
      int colon = l.indexOf(':');
      h.put(l.substring(0, colon).trim().toLowerCase(Locale.ROOT), l.substring(colon + 1).trim());
    }
    return new Head(Integer.parseInt(status.split(" ")[1]), h);
  }

  private static byte[] body(InputStream in, Head h) throws IOException {
    if ("chunked".equalsIgnoreCase(h.header("transfer-encoding"))) return new Chunked(in).readAllBytes();
    String len = h.header("content-length");
    return len == null ? new byte[0] : in.readNBytes(Integer.parseInt(len));
  }

  /** A line without its CR LF, or null at the end of the stream. */
  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) != -1 && c != '\n') {
      if (c != '\r') b.write(c);
    }
    if (c == -1 && b.size() == 0) return null;
    return b.toString(StandardCharsets.UTF_8);
  }

  /** HTTP/1.1 chunked transfer decoding; ends (-1) after the last chunk. */
  private static final class Chunked extends InputStream {
    private final InputStream in;
    private int left;
    private boolean done;

    Chunked(InputStream in) {
      this.in = in;
    }

    @Override
    public int read() throws IOException {
      if (done) return -1;
      if (left == 0) {
        String size = line(in);
        if (size == null) throw new IOException("connection closed inside a chunked body");
        if (size.isEmpty()) size = line(in); // CRLF after the previous chunk's data
        if (size == null) throw new IOException("connection closed inside a chunked body");
        left = Integer.parseInt(size.split(";")[0].trim(), 16);
        if (left == 0) {
          for (String t = line(in); t != null && !t.isEmpty(); t = line(in)) {
            // trailers
          }
          done = true;
          return -1;
        }
      }
      int c = in.read();
      if (c < 0) throw new IOException("connection closed inside a chunk");
      left--;
      return c;
    }
  }

  @Override
  public void close() {
    stop = true;
    Socket s = current;
    if (s != null) {
      try {
        s.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
    try {
      thread.join(TimeUnit.SECONDS.toMillis(STALL_MILLIS / 1000 + 10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
