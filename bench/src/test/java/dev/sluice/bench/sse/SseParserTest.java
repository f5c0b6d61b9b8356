package dev.sluice.bench.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseParserTest {

  private static List<String> parse(String stream, int piece) {
    List<String> out = new ArrayList<>();
    SseParser p = new SseParser();
    byte[] b = stream.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < b.length; i += piece) {
      p.feed(b, i, Math.min(piece, b.length - i), (type, data, len) -> out.add(type + "=" + SseParser.text(data, len)));
    }
    return out;
  }

  /** The exact bytes Sluice sends (docs/protocol-checklist.md §11): data event, then its control event. */
  private static final String SLUICE = "event: data\ndata:hello\n\n"
      + "event: control\ndata:{\"streamNextOffset\":\"0000000000000000_0000000000000005\",\"upToDate\":true}\n\n";

  @Test
  void parsesDataAndControlEventsSplitAnywhere() {
    for (int piece = 1; piece <= SLUICE.length(); piece++) {
      assertEquals(List.of("data=hello", "control={\"streamNextOffset\":\"0000000000000000_0000000000000005\",\"upToDate\":true}"),
          parse(SLUICE, piece), "piece size " + piece);
    }
  }

  @Test
  void acceptsCrLfAndCrLineEndsEvenWhenACrLfIsSplit() {
    String crlf = SLUICE.replace("\n", "\r\n");
    String cr = SLUICE.replace("\n", "\r");
    for (int piece = 1; piece <= crlf.length(); piece++) {
      assertEquals(parse(SLUICE, 1000), parse(crlf, piece), "CRLF, piece size " + piece);
    }
    for (int piece = 1; piece <= cr.length(); piece++) {
      assertEquals(parse(SLUICE, 1000), parse(cr, piece), "CR, piece size " + piece);
    }
  }

  @Test
  void joinsMultipleDataLinesWithNewlines() {
    assertEquals(List.of("data=line1\nline2\n"), parse("event: data\ndata:line1\ndata: line2\ndata:\n\n", 3));
  }

  @Test
  void ignoresCommentsUnknownFieldsAndEventsWithoutData() {
    assertEquals(List.of("message=x"), parse(": keep-alive\n\nevent: control\n\nid: 7\nretry: 10\ndata: x\n\n", 2));
  }

  @Test
  void returnsTheKnownTypesAsSharedConstants() {
    List<String> types = new ArrayList<>();
    SseParser p = new SseParser();
    byte[] b = SLUICE.getBytes(StandardCharsets.UTF_8);
    p.feed(b, 0, b.length, (type, data, len) -> types.add(type));
    assertSame(SseParser.DATA, types.get(0));
    assertSame(SseParser.CONTROL, types.get(1));
  }

  @Test
  void resetDropsAPartialEvent() {
    List<String> out = new ArrayList<>();
    SseParser p = new SseParser();
    byte[] partial = "event: data\ndata:lost".getBytes(StandardCharsets.UTF_8);
    p.feed(partial, 0, partial.length, (t, d, l) -> out.add(t));
    p.reset();
    byte[] next = "data:kept\n\n".getBytes(StandardCharsets.UTF_8);
    p.feed(next, 0, next.length, (t, d, l) -> out.add(t + "=" + SseParser.text(d, l)));
    assertEquals(List.of("message=kept"), out);
  }
}
