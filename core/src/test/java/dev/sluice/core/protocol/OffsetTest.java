package dev.sluice.core.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Checklist §1 Offsets. */
class OffsetTest {

  @Test
  void formatIsZeroPaddedToSixteenDigitsPerFieldAndNeverTruncates() {
    long[] values = {0, 1, 9, 10, 999_999_999_999_999L, 1_000_000_000_000_000L, 9_999_999_999_999_999L,
        10_000_000_000_000_000L, 999_999_999_999_999_999L, Long.MAX_VALUE};
    for (long hi : values) {
      for (long position : values) {
        assertEquals(String.format("%016d_%016d", hi, position), new Offset(hi, position).format(), hi + "_" + position);
      }
    }
    Random random = new Random(7);
    for (int i = 0; i < 1_000; i++) {
      long hi = random.nextLong() & Long.MAX_VALUE >>> random.nextInt(63);
      long position = random.nextLong() & Long.MAX_VALUE >>> random.nextInt(63);
      assertEquals(String.format("%016d_%016d", hi, position), new Offset(hi, position).format());
    }
  }

  @Test
  void zeroFormatsAsTheSuitesStreamStartToken() {
    assertEquals("0000000000000000_0000000000000000", Offset.ZERO.format());
    assertEquals(Offset.ZERO, Offset.parseOrNull("0000000000000000_0000000000000000"));
    assertEquals(Offset.ZERO, Offset.at(0));
  }

  @ParameterizedTest
  @CsvSource({
    "0, 0, 0000000000000000_0000000000000000",
    "0, 1, 0000000000000000_0000000000000001",
    "0, 42, 0000000000000000_0000000000000042",
    "0, 1234567890, 0000000000000000_0000001234567890",
    "3, 17, 0000000000000003_0000000000000017",
    "0, 9999999999999999, 0000000000000000_9999999999999999",
    "9999999999999999, 9999999999999999, 9999999999999999_9999999999999999",
  })
  void formatIsTwoSixteenDigitZeroPaddedFieldsJoinedByUnderscore(long hi, long pos, String expected) {
    assertEquals(expected, new Offset(hi, pos).format());
    assertEquals(expected, new Offset(hi, pos).toString());
  }

  @ParameterizedTest
  @ValueSource(longs = {0, 1, 9, 10, 99, 100, 4096, 1_000_000_007L, 123_456_789_012_345L, 9_999_999_999_999_999L})
  void formatThenParseRoundTripsEveryPosition(long position) {
    Offset o = Offset.at(position);
    assertEquals(o, Offset.parseOrNull(o.format()));
    assertEquals(o.format(), Offset.parseOrNull(o.format()).format());
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "0000000000000000_0000000000000000",
    "0000000000000000_0000000000000005",
    "0000000000000001_0000000000000000",
    "9999999999999999_9999999999999999",
  })
  void parseThenFormatRoundTripsCanonicalTokens(String token) {
    assertEquals(token, Offset.parseOrNull(token).format());
  }

  @ParameterizedTest
  @ValueSource(longs = {0, 1, 10, 999, 1L << 40, 9_999_999_999_999_999L})
  void formattedOffsetsHaveFixedWidth(long position) {
    assertEquals(33, Offset.at(position).format().length());
  }

  @Test
  void stringOrderEqualsNumericOrderForManyOffsets() {
    Random r = new Random(20241009L); // deterministic
    List<Offset> offsets = new ArrayList<>();
    long[] edges = {0, 1, 9, 10, 11, 99, 100, 101, 999, 1000, 9_999_999_999_999_999L};
    for (long e : edges) offsets.add(Offset.at(e));
    for (int i = 0; i < 500; i++) {
      int digits = 1 + r.nextInt(16);
      long bound = (long) Math.pow(10, digits);
      offsets.add(Offset.at(Math.floorMod(r.nextLong(), bound)));
    }
    offsets.add(Offset.parseOrNull("0000000000000001_0000000000000000"));
    offsets.add(Offset.parseOrNull("9999999999999999_9999999999999999"));

    List<Offset> byNumber = new ArrayList<>(offsets);
    byNumber.sort(Comparator.naturalOrder());
    List<Offset> byString = new ArrayList<>(offsets);
    byString.sort(Comparator.comparing(Offset::format));
    assertEquals(byNumber, byString);

    for (int i = 0; i < offsets.size(); i++) {
      for (int j = 0; j < offsets.size(); j += 7) {
        Offset a = offsets.get(i), b = offsets.get(j);
        assertEquals(Integer.signum(a.compareTo(b)), Integer.signum(a.format().compareTo(b.format())),
            () -> a + " vs " + b);
      }
    }
  }

  @Test
  void stringOrderIsStrictlyIncreasingAcrossAppendSizedSteps() {
    // "9" < "10" numerically must hold for the strings too (the fixed width is what makes it so).
    long pos = 0;
    String prev = Offset.at(pos).format();
    for (long step : new long[] {9, 1, 90, 900, 9000, 1, 1}) {
      pos += step;
      String next = Offset.at(pos).format();
      assertTrue(prev.compareTo(next) < 0, prev + " should sort before " + next);
      prev = next;
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "1_1", "0_0", "00_00", "123_456",
  })
  void acceptsTheReferenceGrammarOfDigitsUnderscoreDigits(String token) {
    assertNotNull(Offset.parseOrNull(token));
  }

  @Test
  void nonCanonicalWidthParsesToTheSameValue() {
    assertEquals(Offset.at(5), Offset.parseOrNull("0_5"));
    assertEquals(Offset.at(5), Offset.parseOrNull("0000000000000000_0000000000000005"));
  }

  static Stream<String> malformedOffsets() {
    return Stream.of(
        "", " ", ",", "_",
        "0000000000000000_0000000000000000,0000000000000000_0000000000000001",
        "0000000000000000_0000000000000000 ", " 0000000000000000_0000000000000000",
        "0000000000000000 _0000000000000000", "0000000000000000_ 0000000000000000",
        "0000000000000000/0000000000000000", "0000000000000000_0000000000000000/",
        "../0000000000000000_0000000000000000", "..", "../", "0_0/..",
        "0000000000000000_0000000000000000\u0000", "\u00000_0", "0_\u00000",
        "0000000000000000_0000000000000000\r\n", "0000000000000000_0000000000000000\n",
        "0000000000000000_0000000000000000\r", "0_0\r\n0_1",
        "0_0&x=1", "0_0=", "0_0?", "0_0#",
        "+1_1", "1_+1", "-1_1", "1_-1", "-0_0",
        "-1", "now", "NOW", "1", "1_", "_1", "1__1", "1_1_1", "1-1", "1.1",
        "0x1_1", "1e3_1", "a_b", "abc", "1_1a",
        "\u0661_\u0661", // Arabic-Indic digits: Character.isDigit is true, must still be rejected
        "\uFF11_\uFF11", // fullwidth digits
        "1\u00A0_1",
        "0000000000000000000_0", // 19 digits does not fit the parser's field width
        "1_1\t");
  }

  @ParameterizedTest
  @MethodSource("malformedOffsets")
  void rejectsMalformedOffsets(String raw) {
    assertNull(Offset.parseOrNull(raw), () -> "should reject " + raw.replace("\u0000", "\\0").replace("\r", "\\r").replace("\n", "\\n"));
  }

  @Test
  void rejectsNull() {
    assertNull(Offset.parseOrNull(null));
  }

  @Test
  void negativeFieldsCannotBeConstructed() {
    assertThrows(IllegalArgumentException.class, () -> new Offset(-1, 0));
    assertThrows(IllegalArgumentException.class, () -> new Offset(0, -1));
    assertThrows(IllegalArgumentException.class, () -> Offset.at(-5));
  }

  @Test
  void theSuitesBeyondTailTokenLiesBeyondAnyTail() {
    Offset beyond = Offset.parseOrNull("9999999999999999_9999999999999999");
    assertNotNull(beyond);
    assertTrue(beyond.isBeyondAnyTail());
    assertEquals(Long.MAX_VALUE, beyond.positionOrMax());
    assertTrue(beyond.compareTo(Offset.at(Long.MAX_VALUE)) > 0);
  }

  @Test
  void serverIssuedOffsetsAreNeverBeyondAnyTail() {
    assertFalse(Offset.at(0).isBeyondAnyTail());
    assertFalse(Offset.at(9_999_999_999_999_999L).isBeyondAnyTail());
    assertEquals(1234, Offset.at(1234).positionOrMax());
  }

  @ParameterizedTest
  @ValueSource(longs = {0, 7, 1L << 50, 9_999_999_999_999_999L})
  void formattedOffsetsNeverContainForbiddenCharacters(long position) {
    String s = Offset.at(position).format();
    for (char c : new char[] {',', '&', '=', '?', '/', ' ', '\r', '\n', '\0'}) {
      assertTrue(s.indexOf(c) < 0, () -> "offset contains '" + c + "'");
    }
    assertTrue(s.length() < 256);
    assertFalse(s.equals("-1") || s.equals("now"));
  }

  static Stream<Arguments> orderedPairs() {
    return Stream.of(
        Arguments.of(Offset.at(0), Offset.at(1)),
        Arguments.of(Offset.at(9), Offset.at(10)),
        Arguments.of(Offset.at(99), Offset.at(100)),
        Arguments.of(Offset.at(Long.MAX_VALUE), new Offset(1, 0)));
  }

  @ParameterizedTest
  @MethodSource("orderedPairs")
  void compareToOrdersByHighFieldThenPosition(Offset smaller, Offset larger) {
    assertTrue(smaller.compareTo(larger) < 0);
    assertTrue(larger.compareTo(smaller) > 0);
    assertEquals(0, smaller.compareTo(new Offset(smaller.hi(), smaller.position())));
  }
}
