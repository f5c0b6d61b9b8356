package dev.sluice.bench.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HttpResponseParserTest {

  /** Records what the parser reported; resets it after each response like a connection does. */
  static final class Recorder implements HttpResponseParser.Listener {
    final List<Integer> statuses = new ArrayList<>();
    final List<String> bodies = new ArrayList<>();
    final List<String> captured = new ArrayList<>();
    final List<Boolean> keepAlive = new ArrayList<>();
    int headersSeen;
    ByteArrayOutputStream body = new ByteArrayOutputStream();

    @Override
    public void onHeaders(HttpResponseParser r) {
      headersSeen++;
    }

    @Override
    public void onBody(byte[] data, int off, int len) {
      body.write(data, off, len);
    }

    @Override
    public void onComplete(HttpResponseParser r) {
      statuses.add(r.status());
      bodies.add(body.toString(StandardCharsets.UTF_8));
      captured.add(r.header(0));
      keepAlive.add(r.keepAlive());
      body = new ByteArrayOutputStream();
      r.reset();
    }
  }

  private static Recorder feedInPieces(String wire, int piece, String... capture) throws HttpParseException {
    byte[] b = wire.getBytes(StandardCharsets.ISO_8859_1);
    HttpResponseParser p = new HttpResponseParser(capture.length == 0 ? new String[] {"Stream-Next-Offset"} : capture);
    Recorder r = new Recorder();
    for (int i = 0; i < b.length; i += piece) p.feed(b, i, Math.min(piece, b.length - i), r);
    return r;
  }

  private static final String TWO_RESPONSES = ""
      + "HTTP/1.1 204 No Content\r\nStream-Next-Offset: 0000000000000000_0000000000000005\r\nServer: sluice\r\n\r\n"
      + "HTTP/1.1 200 OK\r\ncontent-length: 5\r\nstream-next-offset:  0000000000000000_0000000000000010 \r\n\r\nhello";

  @Test
  void parsesConsecutiveResponsesSplitAtEveryPossibleBoundary() throws Exception {
    for (int piece = 1; piece <= TWO_RESPONSES.length(); piece++) {
      Recorder r = feedInPieces(TWO_RESPONSES, piece);
      assertEquals(List.of(204, 200), r.statuses, "piece size " + piece);
      assertEquals(List.of("", "hello"), r.bodies, "piece size " + piece);
      assertEquals(List.of("0000000000000000_0000000000000005", "0000000000000000_0000000000000010"), r.captured);
      assertEquals(List.of(true, true), r.keepAlive);
    }
  }

  @Test
  void decodesChunkedBodiesWithExtensionsAndTrailers() throws Exception {
    String wire = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/event-stream\r\n\r\n"
        + "5;ext=1\r\nhello\r\n"
        + "1A\r\n" + "abcdefghijklmnopqrstuvwxyz" + "\r\n"
        + "0\r\nTrailer-Header: x\r\n\r\n";
    for (int piece = 1; piece < wire.length(); piece += 3) {
      Recorder r = feedInPieces(wire, piece);
      assertEquals(List.of(200), r.statuses);
      assertEquals(List.of("helloabcdefghijklmnopqrstuvwxyz"), r.bodies);
    }
  }

  @Test
  void skipsInterimResponses() throws Exception {
    Recorder r = feedInPieces("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n", 7);
    assertEquals(List.of(201), r.statuses);
    assertEquals(1, r.headersSeen);
  }

  @Test
  void missingCapturedHeaderIsNull() throws Exception {
    Recorder r = feedInPieces("HTTP/1.1 204 No Content\r\n\r\n", 100);
    assertEquals(1, r.statuses.size());
    assertNull(r.captured.get(0));
  }

  @Test
  void connectionCloseAndHttp10AreNotKeepAlive() throws Exception {
    assertEquals(List.of(false), feedInPieces("HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n", 100).keepAlive);
    assertEquals(List.of(false), feedInPieces("HTTP/1.0 204 No Content\r\n\r\n", 100).keepAlive);
  }

  @Test
  void bodyDelimitedByCloseCompletesAtEof() throws Exception {
    HttpResponseParser p = new HttpResponseParser("Stream-Next-Offset");
    Recorder r = new Recorder();
    byte[] b = "HTTP/1.1 200 OK\r\n\r\nuntil the end".getBytes(StandardCharsets.ISO_8859_1);
    p.feed(b, 0, b.length, r);
    assertTrue(r.statuses.isEmpty());
    p.onEof(r);
    assertEquals(List.of("until the end"), r.bodies);
    assertEquals(List.of(false), r.keepAlive);
  }

  @Test
  void eofInTheMiddleOfAResponseIsAnError() throws Exception {
    HttpResponseParser p = new HttpResponseParser("Stream-Next-Offset");
    Recorder r = new Recorder();
    byte[] b = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc".getBytes(StandardCharsets.ISO_8859_1);
    p.feed(b, 0, b.length, r);
    assertThrows(HttpParseException.class, () -> p.onEof(r));
  }

  @Test
  void keepsTheStartOfErrorBodiesOnly() throws Exception {
    HttpResponseParser p = new HttpResponseParser();
    HttpResponseParser.Listener l = resp -> { };
    String big = "x".repeat(2000);
    byte[] b = ("HTTP/1.1 409 Conflict\r\nContent-Length: " + big.length() + "\r\n\r\n" + big).getBytes(StandardCharsets.ISO_8859_1);
    p.feed(b, 0, b.length, l);
    assertEquals(409, p.status());
    assertEquals(HttpResponseParser.ERROR_BODY_LIMIT, p.errorBody().length());
    assertEquals(2000, p.bodyBytes());

    HttpResponseParser ok = new HttpResponseParser();
    byte[] okBytes = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi".getBytes(StandardCharsets.ISO_8859_1);
    ok.feed(okBytes, 0, okBytes.length, l);
    assertEquals("", ok.errorBody());
  }

  @Test
  void rejectsGarbage() {
    HttpResponseParser.Listener l = resp -> { };
    assertThrows(HttpParseException.class, () -> feed(new HttpResponseParser(), "SSH-2.0-OpenSSH\r\n", l));
    assertThrows(HttpParseException.class, () -> feed(new HttpResponseParser(), "HTTP/1.1 2x4 Huh\r\n", l));
    assertThrows(HttpParseException.class, () -> feed(new HttpResponseParser(), "HTTP/1.1 200 OK\r\nContent-Length: ten\r\n", l));
    assertThrows(HttpParseException.class,
        () -> feed(new HttpResponseParser(), "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", l));
  }

  @Test
  void bytesAfterACompleteResponseWithoutResetAreAnError() throws Exception {
    HttpResponseParser p = new HttpResponseParser();
    HttpResponseParser.Listener noReset = resp -> { };
    assertThrows(HttpParseException.class,
        () -> feed(p, "HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n", noReset));
    assertTrue(p.complete());
  }

  private static void feed(HttpResponseParser p, String s, HttpResponseParser.Listener l) throws HttpParseException {
    byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
    p.feed(b, 0, b.length, l);
  }
}
