package dev.sluice.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RequestFramingTest {
  private static final String GOOD = "POST /v1/stream/a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello";
  private static final String CHUNKED = "POST /v1/stream/a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
      + "5;ext=1\r\nhello\r\n1a\r\n" + "x".repeat(26) + "\r\n0\r\nTrailer: t\r\n\r\n";
  private static final String BAD = "POST /v1/stream/a HTTP/1.0\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n";

  /** Feeds {@code text} in pieces of {@code piece} bytes; returns the bytes cleared at the end. */
  private static long feed(RequestFraming f, String text, int piece) {
    byte[] b = text.getBytes(StandardCharsets.ISO_8859_1);
    long cleared = 0;
    for (int i = 0; i < b.length; i += piece) {
      long c = f.accept(ByteString.fromArray(b, i, Math.min(piece, b.length - i)));
      assertTrue(c >= cleared, "cleared never shrinks");
      cleared = c;
    }
    return cleared;
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 7, 1000})
  void requestsBeforeARefusedOneAreClearedToItsHeadWhateverTheReadSizes(int piece) {
    var f = new RequestFraming();
    String before = GOOD + "\r\n" + CHUNKED + "GET /v1/stream/a HTTP/1.0\r\n\r\n";
    long cleared = feed(f, before + BAD + GOOD, piece);
    assertTrue(f.rejected());
    assertEquals(before.length(), cleared);
    assertTrue(f.rejection().contains("HTTP/1.0"), f.rejection());
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 3, 1000})
  void goodRequestsAreClearedOnceTheirHeadIsComplete(int piece) {
    var f = new RequestFraming();
    String all = GOOD + CHUNKED + GOOD;
    assertEquals(all.length(), feed(f, all, piece));
    assertFalse(f.rejected());
    assertFalse(f.transparent());
    // A head still arriving is held back: it could be the one to refuse.
    assertEquals(all.length(), f.accept(ByteString.fromString("POST /v1/stream/a HTTP/1.0\r\nHost")));
  }

  @Test
  void aBodyThatLooksLikeARefusedRequestIsJustABody() {
    var f = new RequestFraming();
    String body = BAD;
    String req = "POST /v1/stream/a HTTP/1.1\r\nContent-Length: " + body.length() + "\r\n\r\n" + body;
    String chunked = "POST /v1/stream/a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
        + Integer.toHexString(body.length()) + "\r\n" + body + "\r\n0\r\n\r\n";
    assertEquals(req.length() + chunked.length(), feed(f, req + chunked, 1));
    assertFalse(f.rejected());
  }

  @ParameterizedTest
  @ValueSource(strings = {"chunked", "gzip, chunked", "gzip", "identity", "CHUNKED"})
  void anyTransferEncodingOnHttp10IsRefused(String codings) {
    var f = new RequestFraming();
    feed(f, "POST /v1/stream/a HTTP/1.0\r\nTransfer-Encoding: " + codings + "\r\nContent-Length: 3\r\n\r\nabc", 1000);
    assertTrue(f.rejected());
  }

  /** Whatever Pekko might frame differently ends the following: Pekko alone decides from there. */
  @ParameterizedTest
  @ValueSource(strings = {
      "POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n",
      "POST / HTTP/1.1\r\nContent-Length: -3\r\n\r\n",
      "POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n",
      "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n",
      "POST / HTTP/1.1\r\nX: a\r\n folded\r\n\r\n",
      "POST / HTTP/1.1\r\nTransfer-Encoding : chunked\r\n\r\n",
      "GET / HTTP/1.1\r\nUpgrade: websocket\r\n\r\n",
      "CONNECT x:443 HTTP/1.1\r\n\r\n",
      "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"})
  void unsureFramingStopsFollowingTheConnection(String head) {
    var f = new RequestFraming();
    long cleared = feed(f, head + BAD, 1000);
    assertTrue(f.transparent(), head);
    assertFalse(f.rejected());
    assertEquals(head.length() + BAD.length(), cleared);
  }

  @Test
  void anOversizedHeadIsLeftToPekko() {
    var f = new RequestFraming();
    String head = "GET / HTTP/1.1\r\nX: " + "a".repeat(RequestFraming.MAX_HEAD_BYTES) + "\r\n\r\n";
    assertEquals(head.length(), feed(f, head, 4096));
    assertTrue(f.transparent());
  }
}
