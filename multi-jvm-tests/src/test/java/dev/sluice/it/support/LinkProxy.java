package dev.sluice.it.support;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A fault-injecting TCP proxy for the Artery links of a 3-node cluster, in the test JVM, without
 * root. Node {@code j}'s canonical Artery address (the one in {@code --cluster-nodes}, which its
 * peers connect to) is {@code 127.0.0.1:proxyPort(j)}; the node itself listens on
 * {@code 127.0.0.1:bindPort(j)} ({@code pekko.remote.artery.bind.port}). Node {@code i} opens its
 * outbound connections from {@link #sourceAddress(int) 127.0.0.(11+i)}
 * ({@code pekko.remote.artery.advanced.tcp.outbound-client-hostname}), so the proxy knows from an
 * accepted socket's source address which node is connecting: a connection accepted on
 * {@code proxyPort(j)} from node {@code i} is the directed link {@code i -> j}. (Artery over TCP
 * sends {@code i}'s messages to {@code j} only on connections {@code i} opened; {@code j} answers
 * on its own.) The sources start at .11, not .1, so a node whose outbound address was not set
 * (it would connect from 127.0.0.1) is refused and reported instead of being taken for node 0.
 *
 * <p>{@link #cut} closes the link's open connections and blackholes new ones (accepted, never read
 * or answered, like packets into a partition) until {@link #heal}, which closes the blackholed
 * ones so the sender reconnects. Bytes forwarded per directed link are counted ({@link #bytes}),
 * which lets a test find a stream's owner: the node that sends a burst of appends to both peers.
 *
 * <p>When node {@code j}'s own port refuses a connection (its process is gone), the proxy stops
 * listening on {@code proxyPort(j)} until the node listens again, so its peers see what they would
 * see without the proxy: a refused connection, from which they learn at once that it crashed.
 *
 * <p>Thread-safe. Two daemon threads per forwarded connection, one per listener.
 */
public final class LinkProxy implements AutoCloseable {
  public static final int NODES = 3;

  private final ServerSocket[] listeners = new ServerSocket[NODES];
  private final int[] proxyPorts = new int[NODES];
  private final int[] bindPorts = new int[NODES];
  /** Node j's process refused a connection: its proxy port is closed until the node listens again. */
  private final boolean[] gone = new boolean[NODES];
  private final boolean[][] cut = new boolean[NODES][NODES];
  private final AtomicLong[][] forwarded = new AtomicLong[NODES][NODES];
  private final List<Conn> open = new ArrayList<>();
  private final List<Socket> blackholed = new ArrayList<>();
  private final AtomicLong refused = new AtomicLong();
  private volatile boolean closed;

  /** One forwarded connection of the directed link {@code from -> to}. */
  private record Conn(int from, int to, Socket client, Socket upstream) {
    void close() {
      closeQuietly(client);
      closeQuietly(upstream);
    }
  }

  public LinkProxy() {
    try {
      for (int j = 0; j < NODES; j++) {
        for (int i = 0; i < NODES; i++) forwarded[i][j] = new AtomicLong();
        bindPorts[j] = NodeProcess.freePort();
        listeners[j] = new ServerSocket();
        listeners[j].setReuseAddress(true);
        listeners[j].bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        proxyPorts[j] = listeners[j].getLocalPort();
        int target = j;
        Thread t = new Thread(() -> acceptLoop(target), "link-proxy-accept-" + j);
        t.setDaemon(true);
        t.start();
      }
    } catch (IOException e) {
      close();
      throw new UncheckedIOException(e);
    }
  }

  /** The source address of node {@code i}'s outbound Artery connections. */
  public static String sourceAddress(int i) {
    return "127.0.0." + (11 + i);
  }

  /** What node {@code j}'s peers connect to: its canonical Artery port. */
  public int proxyPort(int j) {
    return proxyPorts[j];
  }

  /** Where node {@code j} really listens. */
  public int bindPort(int j) {
    return bindPorts[j];
  }

  /** Cuts the directed link {@code from -> to}: open connections closed, new ones blackholed. */
  public void cut(int from, int to) {
    List<Conn> doomed = new ArrayList<>();
    synchronized (this) {
      cut[from][to] = true;
      open.removeIf(c -> {
        if (c.from == from && c.to == to) {
          doomed.add(c);
          return true;
        }
        return false;
      });
    }
    doomed.forEach(Conn::close);
  }

  /** Cuts both directions between {@code node} and every other node. */
  public void isolate(int node) {
    for (int other = 0; other < NODES; other++) {
      if (other == node) continue;
      cut(node, other);
      cut(other, node);
    }
  }

  /** Lets {@code from -> to} through again; the connections blackholed meanwhile are closed. */
  public void heal(int from, int to) {
    List<Socket> release = new ArrayList<>();
    synchronized (this) {
      cut[from][to] = false;
      blackholed.removeIf(s -> {
        if (linkOf(s) == from * NODES + to) {
          release.add(s);
          return true;
        }
        return false;
      });
    }
    release.forEach(LinkProxy::closeQuietly);
  }

  public void healAll() {
    for (int i = 0; i < NODES; i++) {
      for (int j = 0; j < NODES; j++) {
        if (i != j) heal(i, j);
      }
    }
  }

  /** Bytes forwarded so far on the directed link {@code from -> to}. */
  public long bytes(int from, int to) {
    return forwarded[from][to].get();
  }

  /** All counters at once: {@code [from][to]}. */
  public long[][] snapshot() {
    long[][] s = new long[NODES][NODES];
    for (int i = 0; i < NODES; i++) {
      for (int j = 0; j < NODES; j++) s[i][j] = forwarded[i][j].get();
    }
    return s;
  }

  /** Connections refused because they came from an address that is no node's. */
  public long refusedConnections() {
    return refused.get();
  }

  @Override
  public void close() {
    closed = true;
    List<Conn> conns;
    List<Socket> holes;
    synchronized (this) {
      conns = new ArrayList<>(open);
      holes = new ArrayList<>(blackholed);
      open.clear();
      blackholed.clear();
    }
    synchronized (this) {
      for (ServerSocket l : listeners) {
        if (l != null) closeQuietly(l);
      }
    }
    conns.forEach(Conn::close);
    holes.forEach(LinkProxy::closeQuietly);
  }

  private void acceptLoop(int to) {
    while (!closed) {
      Socket client;
      ServerSocket listener;
      synchronized (this) {
        listener = listeners[to];
      }
      try {
        client = listener.accept();
      } catch (IOException e) {
        if (closed) return;
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20)); // closed while the node is gone; reopened later
        continue;
      }
      int from = nodeOf(client.getInetAddress());
      if (from < 0) {
        refused.incrementAndGet();
        System.err.println("link-proxy: refused a connection to node " + to + " from " + client.getInetAddress()
            + " (not a node's outbound address; is outbound-client-hostname set?)");
        closeQuietly(client);
        continue;
      }
      synchronized (this) {
        if (cut[from][to]) {
          blackholed.add(client);
          continue;
        }
      }
      Socket upstream = new Socket();
      try {
        upstream.setTcpNoDelay(true);
        client.setTcpNoDelay(true);
        upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), bindPorts[to]), 2000);
      } catch (IOException e) {
        // The node is down: the sender sees its connection closed, as it would without the proxy.
        closeQuietly(upstream);
        closeQuietly(client);
        if (e instanceof ConnectException) processGone(to);
        continue;
      }
      Conn c = new Conn(from, to, client, upstream);
      synchronized (this) {
        if (cut[from][to] || closed) {
          c.close();
          continue;
        }
        open.add(c);
      }
      pump(c, client, upstream, forwarded[from][to], "link-proxy-" + from + "-" + to);
      pump(c, upstream, client, null, "link-proxy-" + to + "-" + from + "-back");
    }
  }

  /**
   * Node {@code to}'s port refused: no process listens. Like the node's own port, the proxy port then
   * refuses connections too (its peers' crash detection relies on that), until the node listens again.
   */
  private void processGone(int to) {
    ServerSocket l;
    synchronized (this) {
      if (gone[to] || closed) return;
      gone[to] = true;
      l = listeners[to];
    }
    try {
      l.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    Thread t = new Thread(() -> {
      while (!closed) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        try (Socket probe = new Socket()) {
          probe.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), bindPorts[to]), 500);
        } catch (IOException stillGone) {
          continue;
        }
        try {
          ServerSocket fresh = new ServerSocket();
          fresh.setReuseAddress(true);
          fresh.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), proxyPorts[to]), 64);
          synchronized (this) {
            listeners[to] = fresh;
            gone[to] = false;
            if (closed) closeQuietly(fresh);
          }
          return;
        } catch (IOException e) {
          System.err.println("link-proxy: cannot listen on port " + proxyPorts[to] + " for node " + to + " again: " + e);
        }
      }
    }, "link-proxy-reopen-" + to);
    t.setDaemon(true);
    t.start();
  }

  private void pump(Conn c, Socket in, Socket out, AtomicLong counter, String name) {
    Thread t = new Thread(() -> {
      byte[] buf = new byte[64 * 1024];
      try (InputStream is = in.getInputStream(); OutputStream os = out.getOutputStream()) {
        int n;
        while ((n = is.read(buf)) >= 0) {
          os.write(buf, 0, n);
          if (counter != null) counter.addAndGet(n);
        }
      } catch (IOException e) {
        // either side closed or the link was cut
      } finally {
        synchronized (this) {
          open.remove(c);
        }
        c.close();
      }
    }, name);
    t.setDaemon(true);
    t.start();
  }

  /** The node whose outbound address {@code a} is, or -1. */
  private static int nodeOf(InetAddress a) {
    byte[] b = a.getAddress();
    if (b.length != 4 || b[0] != 127 || b[1] != 0 || b[2] != 0) return -1;
    int i = (b[3] & 0xff) - 11;
    return i >= 0 && i < NODES ? i : -1;
  }

  /** {@code from * NODES + to} of a blackholed socket. */
  private int linkOf(Socket s) {
    int from = nodeOf(s.getInetAddress());
    for (int j = 0; j < NODES; j++) {
      if (listeners[j].getLocalPort() == s.getLocalPort()) return from * NODES + j;
    }
    return -1;
  }

  private static void closeQuietly(Closeable s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // already closed
    }
  }
}
