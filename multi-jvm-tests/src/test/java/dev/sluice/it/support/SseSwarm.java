package dev.sluice.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Thousands of SSE readers of one stream on one thread: non-blocking sockets and a selector, each
 * connection decoding HTTP/1.1 chunked framing and counting occurrences of a marker in the event
 * bytes (so each reader's count is the number of appends it received). What a swarm of browser
 * tabs or agents tailing one stream looks like to the server, at a fraction of the client cost of
 * an HTTP client library.
 *
 * <p>Lifecycle: {@link #open} (connects in batches, waits for every response head), then counts
 * run on the selector thread until {@link #close}. Counters may be read from any thread.
 */
public final class SseSwarm implements AutoCloseable {

  /** One reader: its socket, chunked-decoding state and marker count. */
  private static final class Reader {
    final SocketChannel channel;
    final byte[] marker;
    final AtomicLong markers = new AtomicLong();
    volatile boolean headersDone;
    volatile int status = -1;
    final StringBuilder head = new StringBuilder();
    /** Bytes left in the current chunk; -1 while reading a size line. */
    long chunkLeft = -1;
    final StringBuilder sizeLine = new StringBuilder();
    int skipCrLf;
    int matched;
    boolean ended;

    final CountDownLatch heads;

    Reader(SocketChannel channel, byte[] marker, CountDownLatch heads) {
      this.channel = channel;
      this.marker = marker;
      this.heads = heads;
    }

    void consume(ByteBuffer buf) {
      while (buf.hasRemaining()) {
        if (!headersDone) {
          char c = (char) (buf.get() & 0xff);
          head.append(c);
          int n = head.length();
          if (n >= 4 && head.substring(n - 4).equals("\r\n\r\n")) {
            String first = head.substring(0, head.indexOf("\r\n"));
            status = Integer.parseInt(first.split(" ")[1]);
            headersDone = true;
            heads.countDown();
          }
        } else if (skipCrLf > 0) {
          buf.get();
          skipCrLf--;
        } else if (chunkLeft < 0) {
          char c = (char) (buf.get() & 0xff);
          if (c == '\n') {
            String hex = sizeLine.toString().trim();
            sizeLine.setLength(0);
            int semi = hex.indexOf(';');
            chunkLeft = Long.parseLong(semi >= 0 ? hex.substring(0, semi) : hex, 16);
            if (chunkLeft == 0) {
              ended = true;
              chunkLeft = -1;
              return;
            }
          } else {
            sizeLine.append(c);
          }
        } else {
          byte b = buf.get();
          chunkLeft--;
          if (b == marker[matched]) {
            if (++matched == marker.length) {
              markers.incrementAndGet();
              matched = 0;
            }
          } else {
            matched = b == marker[0] ? 1 : 0;
          }
          if (chunkLeft == 0) {
            chunkLeft = -1;
            skipCrLf = 2;
          }
        }
      }
    }
  }

  private final List<Reader> readers = new ArrayList<>();
  private final Selector selector;
  private final Thread loop;
  private final AtomicBoolean stop = new AtomicBoolean();
  private final AtomicLong failures = new AtomicLong();

  private SseSwarm(Selector selector) {
    this.selector = selector;
    this.loop = new Thread(this::run, "sse-swarm");
    this.loop.setDaemon(true);
  }

  /**
   * Opens {@code count} SSE readers of {@code streamUri} (from {@code offset}) and returns once
   * every one of them got its response head.
   *
   * @throws IllegalStateException if any reader gets no {@code 200} head within the time limit
   */
  public static SseSwarm open(URI streamUri, String offset, int count, String marker, long timeoutMillis) {
    try {
      SseSwarm swarm = new SseSwarm(Selector.open());
      InetSocketAddress address = new InetSocketAddress(streamUri.getHost(), streamUri.getPort());
      byte[] request = ("GET " + streamUri.getRawPath() + "?offset=" + offset + "&live=sse HTTP/1.1\r\n"
          + "Host: " + streamUri.getHost() + ":" + streamUri.getPort() + "\r\nAccept: text/event-stream\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII);
      byte[] markerBytes = marker.getBytes(StandardCharsets.UTF_8);
      CountDownLatch heads = new CountDownLatch(count);
      // Blocking connects in batches keep the server's accept backlog from overflowing.
      for (int i = 0; i < count; i++) {
        SocketChannel ch = SocketChannel.open();
        ch.setOption(StandardSocketOptions.SO_RCVBUF, 8192);
        ch.connect(address);
        ch.write(ByteBuffer.wrap(request));
        ch.configureBlocking(false);
        swarm.readers.add(new Reader(ch, markerBytes, heads));
      }
      for (Reader r : swarm.readers) {
        r.channel.register(swarm.selector, SelectionKey.OP_READ, r);
      }
      swarm.loop.start();
      if (!heads.await(timeoutMillis, TimeUnit.MILLISECONDS)) {
        long missing = heads.getCount();
        swarm.close();
        throw new IllegalStateException(missing + " of " + count + " SSE readers got no response head in time");
      }
      long bad = swarm.readers.stream().filter(r -> r.status != 200).count();
      if (bad > 0) {
        swarm.close();
        throw new IllegalStateException(bad + " SSE readers got a status other than 200");
      }
      return swarm;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while opening SSE readers");
    }
  }

  private void run() {
    ByteBuffer buf = ByteBuffer.allocateDirect(64 * 1024);
    while (!stop.get()) {
      try {
        selector.select(100);
        for (SelectionKey key : selector.selectedKeys()) {
          Reader r = (Reader) key.attachment();
          buf.clear();
          int n;
          try {
            n = r.channel.read(buf);
          } catch (IOException e) {
            n = -1;
          }
          if (n < 0) {
            if (!r.ended) failures.incrementAndGet();
            key.cancel();
            continue;
          }
          buf.flip();
          r.consume(buf);
        }
        selector.selectedKeys().clear();
      } catch (IOException | RuntimeException e) {
        failures.incrementAndGet();
      }
    }
  }

  public int size() {
    return readers.size();
  }

  /** The smallest number of markers any reader has seen so far. */
  public long minMarkers() {
    return readers.stream().mapToLong(r -> r.markers.get()).min().orElse(0);
  }

  /** The largest number of markers any reader has seen so far. */
  public long maxMarkers() {
    return readers.stream().mapToLong(r -> r.markers.get()).max().orElse(0);
  }

  /** Connections that ended or failed before {@link #close}. */
  public long failures() {
    return failures.get();
  }

  @Override
  public void close() {
    stop.set(true);
    try {
      loop.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (Reader r : readers) {
      try {
        r.channel.close();
      } catch (IOException ignored) {
        // closing is all we want
      }
    }
    try {
      selector.close();
    } catch (IOException ignored) {
      // as above
    }
  }
}
