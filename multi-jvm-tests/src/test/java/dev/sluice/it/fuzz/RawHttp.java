package dev.sluice.it.fuzz;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Sends arbitrary bytes to a server on a fresh TCP connection and reads back the status of every
 * response it gets, whatever the bytes were. HTTP clients refuse to send broken framing, so the
 * fuzz test writes requests itself.
 *
 * <p>The connection is half-closed after the request, so a server waiting for more body bytes
 * sees the end at once (a body shorter than its Content-Length must fail now, not after the
 * body timeout). Not thread-safe; one exchange per call.
 */
final class RawHttp {
  private RawHttp() {}

  /** How one exchange ended. {@code statuses} lists every response status in order (1xx excluded). */
  record Outcome(List<Integer> statuses, boolean timedOut, String firstHead) {
    boolean any5xx() {
      return statuses.stream().anyMatch(s -> s >= 500);
    }
  }

  /**
   * @param methods the method of each request in {@code bytes}, in order, so a HEAD response is
   *     known to have no body; may be shorter than the number of responses (garbage gets answers too)
   */
  static Outcome exchange(String host, int port, byte[] bytes, List<String> methods, int timeoutMillis)
      throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host, port), 5_000);
      s.setSoTimeout(timeoutMillis);
      try {
        s.getOutputStream().write(bytes);
        s.getOutputStream().flush();
        s.shutdownOutput();
      } catch (SocketException e) {
        // The server may answer and close before taking all bytes (an early 4xx): read what it said.
      }
      return read(s.getInputStream(), methods);
    }
  }

  private static Outcome read(InputStream in, List<String> methods) throws IOException {
    var statuses = new ArrayList<Integer>();
    String firstHead = null;
    int index = 0;
    try {
      while (true) {
        String head;
        try {
          head = readHead(in);
        } catch (IOException e) {
          // Pekko answers a HEAD it cannot parse with a body (it does not know the method yet):
          // what follows such an answer is that body, not another response.
          if (firstHead != null) return new Outcome(statuses, false, firstHead);
          throw e;
        }
        if (head == null) return new Outcome(statuses, false, firstHead);
        if (firstHead != null && !head.startsWith("HTTP/1.")) return new Outcome(statuses, false, firstHead);
        if (firstHead == null) firstHead = head;
        int status = status(head);
        if (status >= 100 && status < 200) continue;
        statuses.add(status);
        String method = index < methods.size() ? methods.get(index) : "GET";
        index++;
        String lower = head.toLowerCase(Locale.ROOT);
        // SSE stays open for minutes: the status is all we need.
        if (lower.contains("content-type: text/event-stream")) return new Outcome(statuses, false, firstHead);
        if (method.equals("HEAD") || status == 204 || status == 304) continue;
        long length = contentLength(lower);
        if (length >= 0) {
          skip(in, length);
        } else if (lower.contains("transfer-encoding: chunked")) {
          skipChunked(in);
        } else {
          drain(in);
          return new Outcome(statuses, false, firstHead);
        }
      }
    } catch (SocketTimeoutException e) {
      return new Outcome(statuses, true, firstHead);
    } catch (SocketException e) {
      // reset by the server after its answer: a closed connection is an acceptable end
      return new Outcome(statuses, false, firstHead);
    }
  }

  /** The response head up to the blank line, or null at a clean end of stream. */
  private static String readHead(InputStream in) throws IOException {
    var buf = new ByteArrayOutputStream();
    int state = 0;
    while (state < 4) {
      int b = in.read();
      if (b < 0) {
        if (buf.size() == 0) return null;
        throw new IOException("connection closed inside a response head: " + buf.toString(StandardCharsets.ISO_8859_1));
      }
      buf.write(b);
      state = switch (state) {
        case 0, 2 -> b == '\r' ? state + 1 : 0;
        case 1, 3 -> b == '\n' ? state + 1 : (b == '\r' ? 1 : 0);
        default -> state;
      };
    }
    return buf.toString(StandardCharsets.ISO_8859_1);
  }

  private static int status(String head) throws IOException {
    if (!head.startsWith("HTTP/1.1 ") && !head.startsWith("HTTP/1.0 ")) throw new IOException("not an HTTP response: " + head);
    return Integer.parseInt(head.substring(9, 12));
  }

  private static long contentLength(String lowerHead) {
    for (String line : lowerHead.split("\r\n")) {
      if (line.startsWith("content-length:")) return Long.parseLong(line.substring(15).trim());
    }
    return -1;
  }

  private static void skip(InputStream in, long n) throws IOException {
    long left = n;
    while (left > 0) {
      long k = in.skip(left);
      if (k <= 0) {
        if (in.read() < 0) throw new IOException("connection closed inside a response body");
        k = 1;
      }
      left -= k;
    }
  }

  private static void skipChunked(InputStream in) throws IOException {
    while (true) {
      var line = new StringBuilder();
      int b;
      while ((b = in.read()) != '\n') {
        if (b < 0) throw new IOException("connection closed inside a chunked response");
        if (b != '\r') line.append((char) b);
      }
      int semi = line.indexOf(";");
      long size = Long.parseLong((semi < 0 ? line : line.substring(0, semi)).toString().trim(), 16);
      if (size == 0) {
        // trailers, up to the blank line
        while (true) {
          int n = 0;
          while ((b = in.read()) != '\n') {
            if (b < 0) return;
            if (b != '\r') n++;
          }
          if (n == 0) return;
        }
      }
      skip(in, size + 2);
    }
  }

  private static void drain(InputStream in) throws IOException {
    byte[] sink = new byte[8192];
    while (in.read(sink) >= 0) {
      // until the server closes
    }
  }
}
