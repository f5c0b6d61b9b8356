package dev.sluice.core.rules;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.core.Bytes;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Checklist §12 JSON mode: validation, one-level flattening, compact re-serialization. */
class PayloadsTest {

  private static Payload json(String body) {
    return Payloads.json(Bytes.utf8(body));
  }

  // ------------------------------------------------------------ binary

  @Test
  void binaryBodiesAreStoredVerbatim() {
    byte[] raw = {0, 1, 2, (byte) 0xFF, '[', ']'};
    Payload p = Payloads.binary(Bytes.wrap(raw));
    assertArrayEquals(raw, p.unit().toArray());
    assertEquals(Payload.Error.NONE, p.error());
    assertEquals(0, p.messages());
    assertFalse(p.rawEmpty());
    assertFalse(p.hasNoData());
  }

  @Test
  void anEmptyBinaryBodyIsTheEmptyPayload() {
    assertSame(Payload.EMPTY, Payloads.binary(Bytes.EMPTY));
    assertTrue(Payload.EMPTY.rawEmpty());
    assertTrue(Payload.EMPTY.hasNoData());
  }

  @Test
  void anEmptyJsonBodyIsTheEmptyPayloadNotAnError() {
    assertSame(Payload.EMPTY, Payloads.json(Bytes.EMPTY));
  }

  @Test
  void contentTypeSelectsJsonModeCaseInsensitivelyWithParameters() {
    Payload p = Payloads.forContentType("Application/JSON; charset=utf-8", Bytes.utf8("[1, 2]"));
    assertEquals(2, p.messages());
    assertEquals("1,2", p.unit().utf8String());
  }

  @Test
  void nonJsonContentTypesAreNotParsed() {
    Payload p = Payloads.forContentType("text/plain", Bytes.utf8("[1, 2"));
    assertEquals(Payload.Error.NONE, p.error());
    assertEquals("[1, 2", p.unit().utf8String());
    Payload q = Payloads.forContentType("application/ld+json", Bytes.utf8("{oops"));
    assertEquals(Payload.Error.NONE, q.error());
  }

  // ------------------------------------------------------------ flattening

  @ParameterizedTest(name = "{0} -> {1} message(s): {2}")
  @CsvSource(delimiter = '|', quoteCharacter = '~', value = {
    "[\"a\",\"b\"]|2|\"a\",\"b\"",
    "[[1,2],[3,4]]|2|[1,2],[3,4]",
    "[[[1,2,3]]]|1|[[1,2,3]]",
    "{\"a\":1}|1|{\"a\":1}",
    "42|1|42",
    "-7|1|-7",
    "0.5|1|0.5",
    "\"hello\"|1|\"hello\"",
    "true|1|true",
    "false|1|false",
    "null|1|null",
    "[null]|1|null",
    "[[]]|1|[]",
    "[{}]|1|{}",
    "{}|1|{}",
    "\"\"|1|\"\"",
    "[1,\"two\",{\"three\":3},[4],null,false]|6|1,\"two\",{\"three\":3},[4],null,false",
    "[{\"a\":[1,{\"b\":null}]}]|1|{\"a\":[1,{\"b\":null}]}",
    "{\"a\":[[1],[2,[3]]]}|1|{\"a\":[[1],[2,[3]]]}",
  })
  void arraysAreFlattenedExactlyOneLevelAndNestingIsPreserved(String body, int messages, String unit) {
    Payload p = json(body);
    assertEquals(Payload.Error.NONE, p.error(), body);
    assertEquals(messages, p.messages(), body);
    assertEquals(unit, p.unit().utf8String(), body);
    assertFalse(p.rawEmpty());
  }

  @Test
  void valuesAreReserializedCompactly() {
    assertEquals("{\"a\":[1,2],\"b\":\"x y\"}", json("{ \"a\" : [ 1 , 2 ] ,\n\t\"b\" : \"x y\" }").unit().utf8String());
    assertEquals("1,2,{\"k\":\"v\"}", json(" [ 1 ,\r\n 2 , { \"k\" : \"v\" } ] ").unit().utf8String());
  }

  @Test
  void stringContentsIncludingCommasBracketsAndEscapesSurvive() {
    Payload p = json("[\"a,b\",\"]\",\"q\\\"u\\\\o\\nte\"]");
    assertEquals(3, p.messages());
    List<JsonNode> back = Payloads.jsonMessages(p.unit());
    assertEquals("a,b", back.get(0).textValue());
    assertEquals("]", back.get(1).textValue());
    assertEquals("q\"u\\o\nte", back.get(2).textValue());
  }

  @Test
  void unicodeIsPreserved() {
    Payload p = json("[\"h\u00e9llo \u2713 \uD83D\uDE00\", \"\\u00e9\"]");
    List<JsonNode> back = Payloads.jsonMessages(p.unit());
    assertEquals("h\u00e9llo \u2713 \uD83D\uDE00", back.get(0).textValue());
    assertEquals("\u00e9", back.get(1).textValue());
  }

  @Test
  void largeIntegersAndPreciseDecimalsKeepTheirValue() {
    Payload p = json("[12345678901234567890123, 3.141592653589793238462643383279, 0.1, -0, 1e3, 1.10]");
    assertEquals(6, p.messages());
    List<JsonNode> back = Payloads.jsonMessages(p.unit());
    String[] expected = {"12345678901234567890123", "3.141592653589793238462643383279", "0.1", "0", "1000", "1.1"};
    for (int i = 0; i < expected.length; i++) {
      BigDecimal got = back.get(i).decimalValue();
      assertEquals(0, new BigDecimal(expected[i]).compareTo(got), "message " + i + " was " + back.get(i));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"[]", "[ ]", " [\n] ", "\t[]\r\n"})
  void anEmptyArrayIsTheEmptyArrayError(String body) {
    Payload p = json(body);
    assertEquals(Payload.Error.EMPTY_ARRAY, p.error());
    assertTrue(p.hasNoData());
    assertFalse(p.rawEmpty());
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "{", "[1,2", "{\"a\":}", "abc", "'single'", "[1,]", "{a:1}", "NaN", "Infinity", "01", "[01]",
    "// c\n1", "/* c */ 1", "   ", "\n", "tru", "nul", "\"unterminated", "{\"a\" 1}", "[1 2]", "+1", ".5",
    "\"tab\there\"",
  })
  void invalidJsonIsRejected(String body) {
    Payload p = json(body);
    assertEquals(Payload.Error.INVALID_JSON, p.error(), body);
    assertTrue(p.hasNoData());
  }

  @ParameterizedTest
  @ValueSource(strings = {"{\"a\":1} x", "[1] [2]", "1 2", "\"a\" \"b\"", "{}}", "[1]]", "null null", "{} {}", "[1],"})
  void trailingGarbageIsInvalidJson(String body) {
    assertEquals(Payload.Error.INVALID_JSON, json(body).error(), body);
  }

  @Test
  void invalidUtf8IsInvalidJson() {
    byte[] raw = {'"', (byte) 0xFF, (byte) 0xFE, '"'};
    assertEquals(Payload.Error.INVALID_JSON, Payloads.json(Bytes.wrap(raw)).error());
  }

  @Test
  void aUtf8ByteOrderMarkDoesNotBreakValidJson() {
    byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
    byte[] body = "[1,2]".getBytes(StandardCharsets.UTF_8);
    byte[] all = new byte[bom.length + body.length];
    System.arraycopy(bom, 0, all, 0, 3);
    System.arraycopy(body, 0, all, 3, body.length);
    Payload p = Payloads.json(Bytes.wrap(all));
    assertEquals(Payload.Error.NONE, p.error());
    assertEquals("1,2", p.unit().utf8String());
  }

  // ------------------------------------------------------------ units and messages

  @Test
  void aStoredUnitSplitsBackIntoItsMessages() throws Exception {
    String body = "[[1,2],{\"a\":\"b,c\"},\"x]\",null,3.5]";
    Payload p = json(body);
    List<JsonNode> messages = Payloads.jsonMessages(p.unit());
    assertEquals(p.messages(), messages.size());
    assertEquals(p.unit(), Payloads.join(messages));
    // A read of this unit is "[" + unit + "]": the original array, compacted.
    JsonNode original = new ObjectMapper().readTree(body);
    JsonNode read = new ObjectMapper().readTree("[" + p.unit().utf8String() + "]");
    assertEquals(original, read);
  }

  @Test
  void unitsOfSeveralAppendsConcatenateIntoOneValidArray() throws Exception {
    Payload a = json("[1,{\"x\":[2]}]");
    Payload b = json("\"three\"");
    Payload c = json("[[4]]");
    String read = "[" + a.unit().utf8String() + "," + b.unit().utf8String() + "," + c.unit().utf8String() + "]";
    JsonNode node = new ObjectMapper().readTree(read);
    assertEquals(4, node.size());
    assertEquals(new ObjectMapper().readTree("[1,{\"x\":[2]},\"three\",[4]]"), node);
  }

  @Test
  void joiningNoMessagesIsEmpty() {
    assertTrue(Payloads.join(List.of()).isEmpty());
  }

  @Test
  void aScalarUnitIsOneMessage() {
    assertEquals(1, Payloads.jsonMessages(json("\"solo\"").unit()).size());
    assertEquals(1, Payloads.jsonMessages(json("null").unit()).size());
  }
}
