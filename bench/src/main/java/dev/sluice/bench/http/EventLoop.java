package dev.sluice.bench.http;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Queue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One NIO selector thread that drives every connection of a benchmark run: connects, writes
 * pre-rendered requests, parses responses, runs timers. Everything that touches a
 * {@link Connection} or scenario state runs on this thread, so none of it needs locks; other
 * threads talk to it only through {@link #execute} and {@link #wakeup}.
 *
 * <p>One thread is deliberate: the server under test shares the machine's two cores with the load
 * generator, and a single non-blocking loop costs a few microseconds of CPU per request where a
 * thread per connection would add two context switches.
 *
 * <p>Timers have millisecond resolution (epoll's); scenarios that need finer pacing (open-loop
 * load) use a pacer thread that calls {@link #wakeup()} at each due time and add a
 * {@link #addTicker ticker} that sends what is due.
 */
public final class EventLoop implements AutoCloseable {

  private record Timer(long atNanos, long seq, Runnable task) implements Comparable<Timer> {
    @Override
    public int compareTo(Timer o) {
      int c = Long.compare(atNanos, o.atNanos);
      return c != 0 ? c : Long.compare(seq, o.seq);
    }
  }

  private static final long SWEEP_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

  private final Selector selector;
  private final Thread thread;
  private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private final PriorityQueue<Timer> timers = new PriorityQueue<>();
  private final List<Runnable> tickers = new ArrayList<>();
  private final List<Connection> connections = new ArrayList<>();
  private final byte[] readArray = new byte[256 * 1024];
  private final ByteBuffer readBuffer = ByteBuffer.wrap(readArray);
  private volatile boolean running = true;
  private long timerSeq;
  private long wakeNanos;
  private long nextSweep;
  private int nextConnectionId;

  public EventLoop(String name) {
    try {
      selector = Selector.open();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    thread = new Thread(this::run, name);
    thread.setDaemon(true);
    thread.start();
  }

  public boolean inLoop() {
    return Thread.currentThread() == thread;
  }

  /** Runs {@code task} on the loop thread soon. Any thread. */
  public void execute(Runnable task) {
    tasks.add(task);
    selector.wakeup();
  }

  /** Runs {@code task} on the loop and waits for its result. Not from the loop thread. */
  public <T> T call(Callable<T> task, long timeoutMillis) throws Exception {
    CompletableFuture<T> f = new CompletableFuture<>();
    execute(() -> {
      try {
        f.complete(task.call());
      } catch (Throwable t) {
        f.completeExceptionally(t);
      }
    });
    try {
      return f.get(timeoutMillis, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof Exception ex) throw ex;
      throw e;
    }
  }

  /** Makes a blocked {@code select} return. Any thread; cheap when called repeatedly. */
  public void wakeup() {
    selector.wakeup();
  }

  /** Runs {@code task} on the loop at {@code atNanos} ({@link System#nanoTime()} clock). Loop thread. */
  public void schedule(long atNanos, Runnable task) {
    timers.add(new Timer(atNanos, timerSeq++, task));
  }

  /** Runs {@code ticker} after every select wake-up. Loop thread. */
  public void addTicker(Runnable ticker) {
    tickers.add(ticker);
  }

  public void removeTicker(Runnable ticker) {
    tickers.remove(ticker);
  }

  /** Opens a new connection; {@link Connection.Handler#onConnected} follows. Loop thread. */
  public Connection connect(InetSocketAddress address, Connection.Handler handler, long requestTimeoutNanos) {
    return connect(address, handler, requestTimeoutNanos, null);
  }

  /**
   * As {@link #connect(InetSocketAddress, Connection.Handler, long)}, with {@link Connection#attachment}
   * set before the connection opens (a connect to loopback may complete, and call the handler, at once).
   */
  public Connection connect(InetSocketAddress address, Connection.Handler handler, long requestTimeoutNanos,
                            Object attachment) {
    Connection c = new Connection(this, nextConnectionId++, address, handler, requestTimeoutNanos);
    c.attachment = attachment;
    c.open();
    return c;
  }

  /** Open connections. Loop thread. */
  public int connectionCount() {
    return connections.size();
  }

  Selector selector() {
    return selector;
  }

  ByteBuffer readBuffer() {
    return readBuffer;
  }

  byte[] readArray() {
    return readArray;
  }

  void register(Connection c) {
    c.loopIndex = connections.size();
    connections.add(c);
  }

  void unregister(Connection c) {
    int i = c.loopIndex;
    if (i < 0) return;
    Connection last = connections.remove(connections.size() - 1);
    if (last != c) {
      connections.set(i, last);
      last.loopIndex = i;
    }
    c.loopIndex = -1;
  }

  private void run() {
    try {
      while (running) {
        long timeoutMs = selectTimeoutMillis();
        if (timeoutMs == 0) {
          selector.selectNow(this::stampAndHandle);
        } else {
          selector.select(this::stampAndHandle, timeoutMs);
        }
        wakeNanos = 0;
        runTasks();
        runTimers();
        for (int i = 0; i < tickers.size(); i++) tickers.get(i).run();
        sweep();
      }
    } catch (Throwable t) {
      System.err.println("sluice-bench: event loop crashed: " + t);
      t.printStackTrace();
    } finally {
      for (Connection c : new ArrayList<>(connections)) c.closeSilently();
      try {
        selector.close();
      } catch (IOException ignored) {
        // shutting down
      }
    }
  }

  private long selectTimeoutMillis() {
    if (!tasks.isEmpty()) return 0;
    long now = System.nanoTime();
    long until = Math.min(nextSweep, timers.isEmpty() ? Long.MAX_VALUE : timers.peek().atNanos());
    long nanos = until - now;
    if (nanos <= 0) return 0;
    return Math.max(1, Math.min(100, (nanos + 999_999) / 1_000_000));
  }

  /**
   * When the current batch of ready keys was returned by select: the moment their bytes were known to
   * be there. Receipt times use it rather than the time each key is handled, so that handling 1,000
   * ready SSE connections one after the other does not show up as 1,000 different arrival times.
   */
  long wakeNanos() {
    return wakeNanos != 0 ? wakeNanos : System.nanoTime();
  }

  private void stampAndHandle(SelectionKey key) {
    if (wakeNanos == 0) wakeNanos = System.nanoTime();
    onKey(key);
  }

  private void onKey(SelectionKey key) {
    Connection c = (Connection) key.attachment();
    if (!key.isValid()) return;
    int ready = key.readyOps();
    if ((ready & SelectionKey.OP_CONNECT) != 0) c.onConnectable();
    if (key.isValid() && (ready & SelectionKey.OP_WRITE) != 0) c.onWritable();
    if (key.isValid() && (ready & SelectionKey.OP_READ) != 0) c.onReadable();
  }

  private void runTasks() {
    Runnable r;
    int n = 0;
    while (n++ < 10_000 && (r = tasks.poll()) != null) r.run();
  }

  private void runTimers() {
    long now = System.nanoTime();
    Timer t;
    while ((t = timers.peek()) != null && t.atNanos() <= now) {
      timers.poll();
      t.task().run();
    }
  }

  private void sweep() {
    long now = System.nanoTime();
    if (now < nextSweep) return;
    nextSweep = now + SWEEP_INTERVAL_NANOS;
    for (int i = connections.size() - 1; i >= 0; i--) {
      if (i >= connections.size()) continue;
      Connection c = connections.get(i);
      if (c.deadlineNanos != 0 && now - c.deadlineNanos > 0) {
        c.fail(new TimeoutException("no complete response within the request timeout"));
      }
    }
  }

  /** Stops the loop and closes every connection. */
  @Override
  public void close() {
    running = false;
    selector.wakeup();
    try {
      thread.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
