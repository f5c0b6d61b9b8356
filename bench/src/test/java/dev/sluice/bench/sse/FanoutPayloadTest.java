package dev.sluice.bench.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FanoutPayloadTest {

  private static List<String> decode(String data, int[] bad) {
    List<String> out = new ArrayList<>();
    bad[0] = FanoutPayload.decode(data, (seq, nanos) -> out.add(seq + "@" + nanos));
    return out;
  }

  @Test
  void encodesToTheRequestedSizeAndDecodesBack() {
    byte[] r = FanoutPayload.encode(42, -1234567890123L, 256);
    assertEquals(256, r.length);
    assertEquals(';', r[255]);
    int[] bad = new int[1];
    assertEquals(List.of("42@-1234567890123"), decode(new String(r, StandardCharsets.US_ASCII), bad));
    assertEquals(0, bad[0]);
  }

  @Test
  void neverTruncatesTheFieldsWhenTheSizeIsTooSmall() {
    byte[] r = FanoutPayload.encode(123456, 987654321, 4);
    assertEquals("123456,987654321,;", new String(r, StandardCharsets.US_ASCII));
  }

  @Test
  void decodesSeveralRecordsBatchedIntoOneEvent() {
    String data = new String(FanoutPayload.encode(1, 10, 40), StandardCharsets.US_ASCII)
        + new String(FanoutPayload.encode(2, 20, 40), StandardCharsets.US_ASCII)
        + new String(FanoutPayload.encode(3, 30, 8), StandardCharsets.US_ASCII);
    int[] bad = new int[1];
    assertEquals(List.of("1@10", "2@20", "3@30"), decode(data, bad));
    assertEquals(0, bad[0]);
  }

  @Test
  void countsMalformedPieces() {
    int[] bad = new int[1];
    assertEquals(List.of("5@6"), decode("garbage;5,6,xx;7,;8,9", bad));
    assertEquals(3, bad[0]);
    assertEquals(List.of(), decode(";;", bad));
    assertEquals(0, bad[0]);
  }
}
