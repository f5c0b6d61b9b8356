package dev.sluice.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.actors.api.ReadChunk;
import dev.sluice.core.rules.StreamView;
import dev.sluice.core.Bytes;
import dev.sluice.core.model.Segment;
import dev.sluice.core.protocol.Offset;
import dev.sluice.core.rules.Commands;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** The SSE wire format, byte for byte (checklist §11). */
class SseFramesTest {
  private static final StreamView VIEW = new StreamView(
      new Commands.StreamInfo("text/plain", Offset.at(100), false, null, null), 1, List.of(new Segment(1, 0, 100)));

  private static ReadChunk chunk(List<Bytes> units, long next, boolean upToDate, boolean closed) {
    return new ReadChunk(units, Offset.at(0), Offset.at(next), upToDate, closed, VIEW);
  }

  private static String frame(ReadChunk c, SseFrames.Encoding enc) {
    return SseFrames.frame(c, enc, 42).utf8String();
  }

  @Test
  void textChunkIsOneDataEventFollowedByAControlEvent() {
    String wire = frame(chunk(List.of(Bytes.utf8("hello"), Bytes.utf8(" world")), 11, true, false), SseFrames.Encoding.TEXT);
    assertEquals("event: data\ndata:hello world\n\n"
        + "event: control\ndata:{\"streamNextOffset\":\"0000000000000000_0000000000000011\",\"streamCursor\":\"42\",\"upToDate\":true}\n\n",
        wire);
  }

  @Test
  void emptyChunkIsOnlyAControlEvent() {
    String wire = frame(chunk(List.of(), 0, true, false), SseFrames.Encoding.TEXT);
    assertEquals("event: control\ndata:{\"streamNextOffset\":\"0000000000000000_0000000000000000\","
        + "\"streamCursor\":\"42\",\"upToDate\":true}\n\n", wire);
  }

  @Test
  void partialChunkOmitsUpToDate() {
    String wire = frame(chunk(List.of(Bytes.utf8("a")), 1, false, false), SseFrames.Encoding.TEXT);
    assertFalse(wire.contains("upToDate"));
  }

  @Test
  void closedAtEndOmitsTheCursorAndSaysStreamClosed() {
    String control = SseFrames.control(Offset.at(5), null, true, true);
    assertEquals("{\"streamNextOffset\":\"0000000000000000_0000000000000005\",\"upToDate\":true,\"streamClosed\":true}", control);
    String wire = frame(chunk(List.of(), 5, true, true), SseFrames.Encoding.TEXT);
    assertFalse(wire.contains("streamCursor"));
    assertTrue(wire.contains("\"streamClosed\":true"));
  }

  static Stream<Arguments> lineSplits() {
    return Stream.of(
        Arguments.of("a\r\nb", "data:a\ndata:b\n"),
        Arguments.of("a\rb", "data:a\ndata:b\n"),
        Arguments.of("a\nb", "data:a\ndata:b\n"),
        Arguments.of("a\n\nb", "data:a\ndata:\ndata:b\n"),
        Arguments.of("a\r\n", "data:a\ndata:\n"),
        Arguments.of("\r\r\n\n", "data:\ndata:\ndata:\ndata:\n"),
        Arguments.of(" lead", "data: lead\n"));
  }

  @ParameterizedTest
  @MethodSource("lineSplits")
  void payloadLinesAreSplitOnCrLfCrAndLf(String payload, String expectedLines) {
    var sb = new StringBuilder();
    SseFrames.dataEvent(sb, payload);
    assertEquals("event: data\n" + expectedLines + "\n", sb.toString());
  }

  @Test
  void injectedEventBoundariesBecomeLiteralDataLines() {
    String attack = "x\r\n\r\nevent: control\r\ndata:{\"streamClosed\":true}\r\rdata:y\n\nevent: data";
    String wire = frame(chunk(List.of(Bytes.utf8(attack)), 9, true, false), SseFrames.Encoding.TEXT);
    assertFalse(wire.contains("\r"), "no CR reaches the wire");
    List<String> lines = List.of(wire.split("\n", -1));
    // Every line inside the data event starts with "data:"; the only event lines are ours.
    int controlAt = lines.indexOf("event: control");
    for (int i = 1; i < controlAt - 1; i++) assertTrue(lines.get(i).startsWith("data:"), lines.get(i));
    assertEquals(2, lines.stream().filter(l -> l.startsWith("event:")).count());
  }

  @Test
  void jsonChunkIsOneArrayOfAllMessages() {
    var units = List.of(Bytes.utf8("{\"a\":1},2"), Bytes.utf8("[3,4]"));
    assertEquals("[{\"a\":1},2,[3,4]]", SseFrames.payload(units, SseFrames.Encoding.JSON));
  }

  @Test
  void binaryChunkIsPaddedStandardBase64ThatDecodesOnItsOwn() {
    byte[] a = {(byte) 0xff, 0x00, (byte) 0xfb};
    byte[] b = {0x3e, 0x3f};
    var units = List.of(Bytes.wrap(a), Bytes.wrap(b));
    String encoded = SseFrames.payload(units, SseFrames.Encoding.BASE64);
    assertEquals(0, encoded.length() % 4);
    assertArrayEquals(new byte[] {(byte) 0xff, 0x00, (byte) 0xfb, 0x3e, 0x3f}, Base64.getDecoder().decode(encoded));
    assertTrue(encoded.contains("+") || encoded.contains("/") || encoded.endsWith("="), encoded);
  }

  @Test
  void utf8TextSurvives() {
    String text = "grüße \uD83D\uDE00";
    String wire = frame(chunk(List.of(Bytes.wrap(text.getBytes(StandardCharsets.UTF_8))), 9, true, false),
        SseFrames.Encoding.TEXT);
    assertTrue(wire.contains("data:" + text + "\n"));
  }

  @ParameterizedTest
  @CsvSource({
      "text/plain, TEXT", "TEXT/CSV; charset=utf-8, TEXT", "application/json, JSON",
      "application/json; charset=utf-8, JSON", "application/octet-stream, BASE64", "application/x-protobuf, BASE64",
      "image/png, BASE64"})
  void encodingFollowsTheStreamContentType(String contentType, SseFrames.Encoding expected) {
    assertEquals(expected, SseFrames.Encoding.forContentType(contentType));
  }

  @Test
  void controlIsValidJsonWithCamelCaseFields() {
    String control = SseFrames.control(Offset.at(7), 123L, false, false);
    assertEquals("{\"streamNextOffset\":\"0000000000000000_0000000000000007\",\"streamCursor\":\"123\"}", control);
    var fields = new ArrayList<String>();
    for (String part : control.substring(1, control.length() - 1).split(",")) fields.add(part.split(":")[0]);
    assertEquals(List.of("\"streamNextOffset\"", "\"streamCursor\""), fields);
  }
}
