package dev.sluice.bench.http;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * One HTTP/1.1 keep-alive connection with at most one request in flight (no pipelining).
 *
 * <pre>
 *   open() --connect--> idle --send()--> in flight --response complete--> idle ...
 *                         \                  \
 *                          +-- EOF / error --+--> closed (Handler.onClosed) --reconnect()--> open
 * </pre>
 *
 * <p>Not thread-safe: every method runs on the owning {@link EventLoop} thread.
 */
public final class Connection implements HttpResponseParser.Listener {

  /** Scenario callbacks, all on the loop thread. */
  public interface Handler {
    void onConnected(Connection c);

    /** Returns the parser the connection feeds; called once per connect. */
    default HttpResponseParser newParser() {
      return new HttpResponseParser();
    }

    default void onHeaders(Connection c, HttpResponseParser response) {}

    default void onBody(Connection c, byte[] data, int offset, int length) {}

    /** A response is complete. If it ended the connection, {@code c.isOpen()} is already false. */
    void onResponse(Connection c, HttpResponseParser response);

    /**
     * The connection closed: {@code cause} is null when the server closed an idle connection, else the
     * failure (I/O error, parse error, timeout, or EOF in the middle of a response).
     */
    void onClosed(Connection c, Throwable cause);
  }

  private final EventLoop loop;
  private final int id;
  private final InetSocketAddress address;
  private final Handler handler;
  private final long requestTimeoutNanos;
  private HttpResponseParser parser;
  private SocketChannel channel;
  private SelectionKey key;
  private ByteBuffer pendingWrite;
  private boolean connected;
  private boolean inFlight;
  private long sentNanos;
  private long readNanos;
  long deadlineNanos;
  int loopIndex = -1;
  /** Free for the scenario's per-connection state. */
  public Object attachment;

  Connection(EventLoop loop, int id, InetSocketAddress address, Handler handler, long requestTimeoutNanos) {
    this.loop = loop;
    this.id = id;
    this.address = address;
    this.handler = handler;
    this.requestTimeoutNanos = requestTimeoutNanos;
  }

  public int id() {
    return id;
  }

  public boolean isOpen() {
    return channel != null;
  }

  public boolean isConnected() {
    return connected;
  }

  public boolean inFlight() {
    return inFlight;
  }

  /** When the current request was written ({@link System#nanoTime()}). */
  public long sentNanos() {
    return sentNanos;
  }

  /** When the bytes being parsed right now were known to have arrived (see {@link EventLoop#wakeNanos}). */
  public long readNanos() {
    return readNanos;
  }

  void open() {
    try {
      channel = SocketChannel.open();
      channel.configureBlocking(false);
      channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
      parser = handler.newParser();
      loop.register(this);
      if (channel.connect(address)) {
        key = channel.register(loop.selector(), SelectionKey.OP_READ, this);
        connected = true;
        handler.onConnected(this);
      } else {
        key = channel.register(loop.selector(), SelectionKey.OP_CONNECT, this);
      }
    } catch (IOException e) {
      fail(e);
    }
  }

  /** Closes this connection (if open) and opens a new one to the same address. */
  public void reconnect() {
    closeSilently();
    open();
  }

  /**
   * Writes one complete request. Requires a connected connection with nothing in flight. A write
   * error closes the connection a moment later ({@link Handler#onClosed}), never re-entrantly.
   */
  public void send(ByteBuffer request) {
    if (!connected || inFlight) throw new IllegalStateException("connection " + id + " is not idle");
    parser.reset();
    inFlight = true;
    sentNanos = System.nanoTime();
    deadlineNanos = requestTimeoutNanos > 0 ? sentNanos + requestTimeoutNanos : 0;
    try {
      channel.write(request);
      if (request.hasRemaining()) {
        pendingWrite = request;
        key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
      }
    } catch (IOException e) {
      loop.execute(() -> fail(e));
    }
  }

  /** Like {@link #send} but without a request timeout (SSE and other endless responses). */
  public void sendStreaming(ByteBuffer request) {
    send(request);
    deadlineNanos = 0;
  }

  /** Closes without calling the handler. */
  public void closeSilently() {
    if (channel == null) return;
    loop.unregister(this);
    try {
      channel.close();
    } catch (IOException ignored) {
      // already broken
    }
    channel = null;
    key = null;
    connected = false;
    inFlight = false;
    deadlineNanos = 0;
    pendingWrite = null;
  }

  /** Closes and reports {@code cause} to the handler (once). */
  public void fail(Throwable cause) {
    if (channel == null) return;
    closeSilently();
    handler.onClosed(this, cause);
  }

  void onConnectable() {
    try {
      if (channel.finishConnect()) {
        connected = true;
        key.interestOps(SelectionKey.OP_READ);
        handler.onConnected(this);
      }
    } catch (IOException e) {
      fail(e);
    }
  }

  void onWritable() {
    try {
      channel.write(pendingWrite);
      if (!pendingWrite.hasRemaining()) {
        pendingWrite = null;
        key.interestOps(SelectionKey.OP_READ);
      }
    } catch (IOException e) {
      fail(e);
    }
  }

  void onReadable() {
    ByteBuffer buf = loop.readBuffer();
    buf.clear();
    int n;
    try {
      n = channel.read(buf);
    } catch (IOException e) {
      fail(e);
      return;
    }
    if (n == 0) return;
    readNanos = loop.wakeNanos();
    try {
      if (n < 0) {
        boolean midResponse = inFlight;
        parser.onEof(this);
        if (channel != null) {
          fail(midResponse && inFlight ? new EOFException("server closed the connection before responding") : null);
        }
        return;
      }
      parser.feed(loop.readArray(), 0, n, this);
    } catch (HttpParseException e) {
      fail(e);
    }
  }

  @Override
  public void onHeaders(HttpResponseParser response) {
    handler.onHeaders(this, response);
  }

  @Override
  public void onBody(byte[] data, int offset, int length) {
    handler.onBody(this, data, offset, length);
  }

  @Override
  public void onComplete(HttpResponseParser response) {
    inFlight = false;
    deadlineNanos = 0;
    if (!response.keepAlive()) closeSilently();
    handler.onResponse(this, response);
  }
}
