package dev.sluice.bench.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TargetTest {

  @Test
  void parsesHostPortAndBasePath() {
    Target t = Target.parse("http://127.0.0.1:4437/prefix/");
    assertEquals("127.0.0.1", t.host());
    assertEquals(4437, t.port());
    assertEquals("/prefix/v1/stream/a", t.streamPath("a"));
    assertEquals("example.org", Target.parse("http://example.org").hostHeader());
    assertThrows(IllegalArgumentException.class, () -> Target.parse("https://example.org"));
  }

  @Test
  void rendersACompleteKeepAliveRequest() {
    Target t = Target.parse("http://127.0.0.1:4437");
    byte[] req = t.request("POST", "/v1/stream/a", "abc".getBytes(StandardCharsets.US_ASCII), "Content-Type", "text/plain");
    assertEquals("POST /v1/stream/a HTTP/1.1\r\nHost: 127.0.0.1:4437\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\nabc",
        new String(req, StandardCharsets.US_ASCII));
    assertEquals("GET /x HTTP/1.1\r\nHost: 127.0.0.1:4437\r\n\r\n", new String(t.request("GET", "/x", null), StandardCharsets.US_ASCII));
  }
}
