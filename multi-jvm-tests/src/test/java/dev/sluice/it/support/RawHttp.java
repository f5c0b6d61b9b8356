package dev.sluice.it.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * HTTP/1.1 over ONE kept-alive TCP connection, for tests that take file descriptors away from a
 * node: a request on an open connection needs no new descriptor on either side, where a client
 * with a pool (java.net.http) might open a new connection the node can no longer accept.
 *
 * <p>Understands Content-Length and chunked bodies. Not thread-safe.
 */
public final class RawHttp implements AutoCloseable {

  /** A response; header names are lower case. */
  public record Response(int status, Map<String, String> headers, byte[] body, long millis) {
    public String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }

    @Override
    public String toString() {
      String text = new String(body, StandardCharsets.UTF_8).strip();
      return status + " in " + millis + " ms" + (text.isEmpty() || text.length() > 200 ? "" : ": " + text);
    }
  }

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final String host;

  public RawHttp(URI base, int readTimeoutMillis) throws IOException {
    socket = new Socket();
    socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), 5000);
    socket.setSoTimeout(readTimeoutMillis);
    socket.setTcpNoDelay(true);
    in = new java.io.BufferedInputStream(socket.getInputStream());
    out = socket.getOutputStream();
    host = base.getHost() + ":" + base.getPort();
  }

  public Response send(String method, String pathAndQuery, Map<String, String> headers, byte[] body) throws IOException {
    long t0 = System.nanoTime();
    StringBuilder req = new StringBuilder(method).append(' ').append(pathAndQuery).append(" HTTP/1.1\r\n")
        .append("Host: ").append(host).append("\r\n");
    headers.forEach((k, v) -> req.append(k).append(": ").append(v).append("\r\n"));
    if (body != null) {
      req.append("Content-Length: ").append(body.length).append("\r\n");
    }
    req.append("\r\n");
    out.write(req.toString().getBytes(StandardCharsets.US_ASCII));
    if (body != null) {
      out.write(body);
    }
    out.flush();

    String statusLine = line();
    int status = Integer.parseInt(statusLine.split(" ")[1]);
    Map<String, String> h = new TreeMap<>();
    for (String l = line(); !l.isEmpty(); l = line()) {
      int colon = l.indexOf(':');
      h.put(l.substring(0, colon).trim().toLowerCase(Locale.ROOT), l.substring(colon + 1).trim());
    }
    byte[] content;
    if ("chunked".equalsIgnoreCase(h.get("transfer-encoding"))) {
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      while (true) {
        int size = Integer.parseInt(line().split(";")[0].trim(), 16);
        if (size == 0) {
          while (!line().isEmpty()) {
            // trailers
          }
          break;
        }
        all.write(in.readNBytes(size));
        line();
      }
      content = all.toByteArray();
    } else if (h.containsKey("content-length")) {
      content = in.readNBytes(Integer.parseInt(h.get("content-length")));
    } else {
      content = new byte[0];
    }
    return new Response(status, h, content, (System.nanoTime() - t0) / 1_000_000);
  }

  private String line() throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) != -1 && c != '\n') {
      if (c != '\r') {
        b.write(c);
      }
    }
    if (c == -1 && b.size() == 0) {
      throw new IOException("connection closed by the server");
    }
    return b.toString(StandardCharsets.ISO_8859_1);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
