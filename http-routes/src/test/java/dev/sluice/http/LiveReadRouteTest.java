package dev.sluice.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Long-poll (checklist §10) and SSE (§11) reads, cursors (§13), end to end over HTTP. */
class LiveReadRouteTest extends RouteTestBase {
  private static final String ZERO = "0000000000000000_0000000000000000";
  /** A server whose long-polls wait long enough that a test can always wake them first. */
  private static String patientBase;

  @BeforeAll
  static void bindPatientServer() throws Exception {
    patientBase = bindAnother(new HttpSettings("127.0.0.1", 0, Duration.ofSeconds(30), Duration.ofSeconds(30),
        Duration.ofSeconds(30), 1024, Duration.ofSeconds(10), 64, "*"));
  }

  private static CompletableFuture<HttpResponse<String>> patientGet(String pathAndQuery) {
    var req = HttpRequest.newBuilder(URI.create(patientBase + StreamPaths.ROOT + pathAndQuery)).GET().build();
    return client.sendAsync(req, BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  private static boolean isDigits(String s) {
    return s != null && !s.isEmpty() && s.chars().allMatch(Character::isDigit);
  }

  // ---------------------------------------------------------------- long-poll

  @Test
  void liveModesRequireAnOffset() {
    String path = created("lp-no-offset", "text/plain", "x");
    assertEquals(400, get(path + "?live=long-poll").statusCode());
    HttpResponse<String> sse = get(path + "?live=sse");
    assertEquals(400, sse.statusCode());
    assertSecurityHeaders(sse);
  }

  @Test
  void longPollWithDataAvailableAnswersAtOnceWithACursor() {
    String path = created("lp-data", "text/plain", "abc");
    HttpResponse<String> r = get(path + "?offset=-1&live=long-poll");
    assertEquals(200, r.statusCode());
    assertEquals("abc", r.body());
    assertEquals(Long.toString(CURRENT_CURSOR), header(r, "Stream-Cursor"));
    assertEquals("true", header(r, "Stream-Up-To-Date"));
    assertNotNull(header(r, "ETag"));
    assertSecurityHeaders(r);
  }

  @Test
  void anEchoedCurrentCursorGetsAStrictlyGreaterOne() {
    String path = created("lp-cursor", "text/plain", "abc");
    long echoed = Long.parseLong(header(get(path + "?offset=-1&live=long-poll&cursor=" + CURRENT_CURSOR), "Stream-Cursor"));
    assertTrue(echoed > CURRENT_CURSOR, "cursor " + echoed);
    assertEquals(Long.toString(CURRENT_CURSOR), header(get(path + "?offset=-1&live=long-poll&cursor=5"), "Stream-Cursor"));
    assertEquals(Long.toString(CURRENT_CURSOR), header(get(path + "?offset=-1&live=long-poll&cursor=x1"), "Stream-Cursor"));
  }

  @Test
  void longPollTimeoutIs204WithOffsetUpToDateAndCursor() {
    String path = created("lp-timeout", "text/plain", "abc");
    String tail = "0000000000000000_0000000000000003";
    HttpResponse<String> r = get(path + "?offset=" + tail + "&live=long-poll");
    assertEquals(204, r.statusCode());
    assertEquals(tail, header(r, "Stream-Next-Offset"));
    assertEquals("true", header(r, "Stream-Up-To-Date"));
    assertTrue(isDigits(header(r, "Stream-Cursor")));
    assertNull(header(r, "Stream-Closed"));
    assertSecurityHeaders(r);
    HttpResponse<String> now = get(path + "?offset=now&live=long-poll");
    assertEquals(204, now.statusCode());
    assertEquals(tail, header(now, "Stream-Next-Offset"));
  }

  @Test
  void longPollOnAClosedStreamAtItsTailAnswers204AtOnce() throws Exception {
    String path = created("lp-closed", "text/plain", "abc");
    post(path, null, null, "Stream-Closed", "true");
    // The patient server waits 30 s, so a 204 within the test timeout proves there was no wait.
    for (String offset : new String[] {"0000000000000000_0000000000000003", "now"}) {
      HttpResponse<String> r = patientGet(path + "?offset=" + offset + "&live=long-poll").get(20, TimeUnit.SECONDS);
      assertEquals(204, r.statusCode());
      assertEquals("true", header(r, "Stream-Closed"));
      assertEquals("true", header(r, "Stream-Up-To-Date"));
      assertEquals("0000000000000000_0000000000000003", header(r, "Stream-Next-Offset"));
    }
  }

  @Test
  void aWaitingLongPollWakesWithTheNewData() throws Exception {
    String path = created("lp-wake", "text/plain", "abc");
    CompletableFuture<Void> waiting = gateway.waiterRegistered(path);
    var pending = patientGet(path + "?offset=0000000000000000_0000000000000003&live=long-poll&cursor=7");
    waiting.get(10, TimeUnit.SECONDS);
    assertEquals(204, post(path, "text/plain", "def").statusCode());
    HttpResponse<String> r = pending.get(10, TimeUnit.SECONDS);
    assertEquals(200, r.statusCode());
    assertEquals("def", r.body());
    assertEquals("0000000000000000_0000000000000006", header(r, "Stream-Next-Offset"));
    assertEquals(Long.toString(CURRENT_CURSOR), header(r, "Stream-Cursor"));
  }

  @Test
  void offsetNowLongPollWaitsAtTheTailAndReturnsOnlyNewData() throws Exception {
    String path = created("lp-now", "application/json", "[1,2]");
    CompletableFuture<Void> waiting = gateway.waiterRegistered(path);
    var pending = patientGet(path + "?offset=now&live=long-poll");
    waiting.get(10, TimeUnit.SECONDS);
    post(path, "application/json", "{\"new\":true}");
    HttpResponse<String> r = pending.get(10, TimeUnit.SECONDS);
    assertEquals(200, r.statusCode());
    assertEquals("[{\"new\":true}]", r.body());
  }

  @Test
  void closingWakesAWaitingLongPollWith204Closed() throws Exception {
    String path = created("lp-close", "text/plain", "abc");
    CompletableFuture<Void> waiting = gateway.waiterRegistered(path);
    var pending = patientGet(path + "?offset=now&live=long-poll");
    waiting.get(10, TimeUnit.SECONDS);
    post(path, null, null, "Stream-Closed", "true");
    HttpResponse<String> r = pending.get(10, TimeUnit.SECONDS);
    assertEquals(204, r.statusCode());
    assertEquals("true", header(r, "Stream-Closed"));
  }

  @Test
  void liveReadsOfMissingStreamsAre404() {
    String missing = unique("lp-missing");
    assertEquals(404, get(missing + "?offset=-1&live=long-poll").statusCode());
    assertEquals(404, get(missing + "?offset=now&live=long-poll").statusCode());
    HttpResponse<String> sse = get(missing + "?offset=now&live=sse");
    assertEquals(404, sse.statusCode());
    assertSecurityHeaders(sse);
  }

  // ---------------------------------------------------------------- SSE

  @Test
  void sseHasTheRightHeadersAndEndsAfterTheClosedControl() throws Exception {
    String path = created("sse-closed", "text/plain", "hello");
    post(path, null, null, "Stream-Closed", "true");
    try (SseConnection c = sse(path + "?offset=-1&live=sse")) {
      HttpResponse<?> r = c.response();
      assertEquals(200, r.statusCode());
      assertEquals("text/event-stream", header(r, "Content-Type"));
      assertNull(header(r, "Content-Length"));
      assertTrue(header(r, "Cache-Control").contains("no-cache"));
      assertEquals("no", header(r, "X-Accel-Buffering"));
      assertNull(header(r, "Stream-SSE-Data-Encoding"));
      assertSecurityHeaders(r);
      List<SseEvent> events = c.readToEnd();
      assertEquals(List.of(new SseEvent("data", "hello"), new SseEvent("control",
          "{\"streamNextOffset\":\"0000000000000000_0000000000000005\",\"upToDate\":true,\"streamClosed\":true}")), events);
    }
  }

  @Test
  void everyDataEventIsFollowedByAControlEvent() throws Exception {
    String path = created("sse-pairs", "text/plain", null);
    var all = new StringBuilder();
    for (int i = 0; i < 5; i++) {
      String unit = Integer.toString(i).repeat(40);
      all.append(unit);
      post(path, "text/plain", unit);
    }
    post(path, null, null, "Stream-Closed", "true");
    try (SseConnection c = sse(path + "?offset=-1&live=sse")) {
      List<SseEvent> events = c.readToEnd();
      var data = new StringBuilder();
      for (int i = 0; i < events.size(); i++) {
        SseEvent e = events.get(i);
        if (e.type().equals("data")) {
          data.append(e.data());
          assertEquals("control", events.get(i + 1).type(), "control after data #" + i);
        }
      }
      assertTrue(events.size() > 2, "read-chunk-bytes = 64 gives several data events");
      assertEquals(all.toString(), data.toString());
      assertTrue(events.get(events.size() - 1).data().contains("\"streamClosed\":true"));
      assertFalse(events.get(events.size() - 2).data().contains("streamClosed"));
    }
  }

  @Test
  void embeddedLineBreaksCannotInjectEvents() throws Exception {
    String attack = "a\r\nevent: control\r\ndata:{\"streamClosed\":true}\r\n\r\nb\rc\nd\n";
    String path = created("sse-inject", "text/plain", attack);
    post(path, null, null, "Stream-Closed", "true");
    try (SseConnection c = sse(path + "?offset=-1&live=sse")) {
      List<SseEvent> events = c.readToEnd();
      assertEquals(2, events.size(), events.toString());
      assertEquals(new SseEvent("data", "a\nevent: control\ndata:{\"streamClosed\":true}\n\nb\nc\nd\n"), events.get(0));
    }
  }

  @Test
  void jsonDataEventsAreOneArray() throws Exception {
    String path = created("sse-json", "application/json", "[1,2]");
    post(path, "application/json", "{\"text\":\"line1\\nline2\"}");
    post(path, null, null, "Stream-Closed", "true");
    try (SseConnection c = sse(path + "?offset=-1&live=sse")) {
      assertNull(header(c.response(), "Stream-SSE-Data-Encoding"));
      List<SseEvent> events = c.readToEnd();
      assertEquals(new SseEvent("data", "[1,2,{\"text\":\"line1\\nline2\"}]"), events.get(0));
    }
  }

  @Test
  void binaryStreamsAreBase64AndEachEventDecodesAlone() throws Exception {
    String path = created("sse-bin", "application/octet-stream", null);
    byte[] all = new byte[256];
    for (int i = 0; i < all.length; i++) all[i] = (byte) i;
    for (int i = 0; i < 256; i += 37) {
      byte[] unit = java.util.Arrays.copyOfRange(all, i, Math.min(256, i + 37));
      send(request(path).header("Content-Type", "application/octet-stream").POST(BodyPublishers.ofByteArray(unit)));
    }
    post(path, null, null, "Stream-Closed", "true");
    try (SseConnection c = sse(path + "?offset=-1&live=sse")) {
      assertEquals("base64", header(c.response(), "Stream-SSE-Data-Encoding"));
      var got = new ByteArrayOutputStream();
      int dataEvents = 0;
      for (SseEvent e : c.readToEnd()) {
        if (!e.type().equals("data")) continue;
        dataEvents++;
        assertEquals(0, e.data().length() % 4, "padded");
        got.writeBytes(Base64.getDecoder().decode(e.data()));
      }
      assertTrue(dataEvents > 1);
      assertArrayEquals(all, got.toByteArray());
    }
  }

  @Test
  void base64IsAnnouncedForEveryNonTextType() throws Exception {
    for (String ct : new String[] {"image/png", "application/x-protobuf"}) {
      try (SseConnection c = sse(created("sse-ct", ct, null) + "?offset=now&live=sse")) {
        assertEquals("base64", header(c.response(), "Stream-SSE-Data-Encoding"), ct);
      }
    }
    try (SseConnection c = sse(created("sse-ct", "text/csv", null) + "?offset=now&live=sse")) {
      assertNull(header(c.response(), "Stream-SSE-Data-Encoding"));
    }
  }

  @Test
  void offsetNowStartsAtTheTailWithAnUpToDateControl() throws Exception {
    String path = created("sse-now", "application/octet-stream", "0123456789");
    try (SseConnection c = sse(path + "?offset=now&live=sse")) {
      List<SseEvent> events = c.readUntil(e -> true);
      assertEquals("control", events.get(0).type());
      assertTrue(events.get(0).data().startsWith("{\"streamNextOffset\":\"0000000000000000_0000000000000010\""));
      assertTrue(events.get(0).data().contains("\"upToDate\":true"));
    }
  }

  @Test
  void aLiveReaderGetsNewDataThenTheCloseAndTheResponseEnds() throws Exception {
    String path = created("sse-live", "text/plain", null);
    try (SseConnection c = sse(path + "?offset=-1&live=sse&cursor=" + CURRENT_CURSOR)) {
      SseEvent first = c.readUntil(e -> true).get(0);
      assertEquals("control", first.type());
      assertTrue(first.data().startsWith("{\"streamNextOffset\":\"" + ZERO + "\",\"streamCursor\":\""), first.data());
      assertTrue(first.data().contains("\"upToDate\":true"));
      String cursor = first.data().replaceAll(".*\"streamCursor\":\"(\\d+)\".*", "$1");
      assertTrue(Long.parseLong(cursor) > CURRENT_CURSOR, "collision gets a greater cursor");

      post(path, "text/plain", "live!");
      List<SseEvent> data = c.readUntil(e -> e.type().equals("data"));
      assertEquals(new SseEvent("data", "live!"), data.get(data.size() - 1));

      post(path, "text/plain", "bye", "Stream-Closed", "true");
      List<SseEvent> rest = c.readToEnd();
      assertTrue(rest.contains(new SseEvent("data", "bye")), rest.toString());
      SseEvent last = rest.get(rest.size() - 1);
      assertEquals("control", last.type());
      assertTrue(last.data().contains("\"streamClosed\":true"));
      assertFalse(last.data().contains("streamCursor"));
    }
  }
}
