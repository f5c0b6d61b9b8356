package dev.sluice.bench.http;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * The server under test: where to connect and how to name a stream. Streams live under
 * {@code <base path>/v1/stream/<name>} (docs/protocol-checklist.md §0: the suite hard-codes that layout).
 * Immutable.
 */
public record Target(String host, int port, String basePath) {

  /** Parses {@code http://host[:port][/path]}. */
  public static Target parse(String url) {
    URI uri = URI.create(url);
    if (!"http".equals(uri.getScheme()) || uri.getHost() == null) {
      throw new IllegalArgumentException("expected http://host[:port][/path], got " + url);
    }
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    if (path.endsWith("/")) path = path.substring(0, path.length() - 1);
    return new Target(uri.getHost(), uri.getPort() < 0 ? 80 : uri.getPort(), path);
  }

  public InetSocketAddress address() {
    return new InetSocketAddress(host, port);
  }

  /** Value of the {@code Host} request header. */
  public String hostHeader() {
    return port == 80 ? host : host + ":" + port;
  }

  /** Request-target of a stream, e.g. {@code /v1/stream/bench-x-1}. */
  public String streamPath(String name) {
    return basePath + "/v1/stream/" + name;
  }

  /**
   * Renders one complete HTTP/1.1 request (no {@code Connection} header: keep-alive is the
   * default). {@code headers} alternate name, value.
   */
  public byte[] request(String method, String pathAndQuery, byte[] body, String... headers) {
    StringBuilder sb = new StringBuilder(160 + 32 * headers.length);
    sb.append(method).append(' ').append(pathAndQuery).append(" HTTP/1.1\r\nHost: ").append(hostHeader()).append("\r\n");
    for (int i = 0; i + 1 < headers.length; i += 2) {
      sb.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
    }
    if (body != null) sb.append("Content-Length: ").append(body.length).append("\r\n");
    sb.append("\r\n");
    byte[] head = sb.toString().getBytes(StandardCharsets.ISO_8859_1);
    if (body == null || body.length == 0) return head;
    byte[] all = new byte[head.length + body.length];
    System.arraycopy(head, 0, all, 0, head.length);
    System.arraycopy(body, 0, all, head.length, body.length);
    return all;
  }
}
