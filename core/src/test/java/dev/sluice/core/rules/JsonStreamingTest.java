package dev.sluice.core.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.Bytes;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * The streaming JSON flattener gives exactly what the tree gave (issue: a JSON body cost 11x its
 * size in nodes while it was flattened), for hand-picked edge cases and for random documents.
 */
class JsonStreamingTest {
  private static void same(String body) {
    Payload tree = Payloads.treeJson(Bytes.utf8(body));
    Payload streamed = Payloads.json(Bytes.utf8(body));
    assertEquals(tree, streamed, body);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "1", "-0", "0.0", "-0.0", "1.50", "100.0", "1e400", "1E-7", "12345678901234567890123", "3.14159265358979323846264338",
      "\"x\"", "\"\\u00e9\\/\\n\\t\\\"\"", "true", "false", "null", "[]", "[[]]", "{}", "[{}]", "[1,[2,[3]]]",
      "{\"a\":1,\"b\":{\"c\":[1,2,{\"d\":null}]}}", "[{\"a\":1},{\"a\":2}]", "{\"a\":1,\"b\":2,\"a\":3}",
      "[{\"k\":1,\"k\":2}, 5]", "  [ 1 , 2 ]  ", "", "   ", "[1,]", "[1] x", "{} {}", "[1]]", "{\"a\"}", "nul", "01",
      "\"unterminated", "[1,2", "NaN", "[\"\\ud83d\\ude00\", \"é\"]"})
  void edgeCasesMatchTheTree(String body) {
    same(body);
  }

  @Test
  void randomDocumentsMatchTheTree() {
    var random = new Random(42);
    for (int i = 0; i < 2000; i++) same(randomValue(random, 0));
  }

  @Test
  void aLargeBodyIsFlattenedWithoutATree() {
    var sb = new StringBuilder("[");
    for (int i = 0; i < 100_000; i++) sb.append(i == 0 ? "" : ",").append("{\"id\":").append(i).append(",\"v\":1.50}");
    Payload p = Payloads.json(Bytes.utf8(sb.append(']').toString()));
    assertEquals(100_000, p.messages());
    assertTrue(p.unit().utf8String().startsWith("{\"id\":0,\"v\":1.5},{\"id\":1,"));
  }

  private static String randomValue(Random r, int depth) {
    int kind = depth > 4 ? r.nextInt(5) : r.nextInt(7);
    return switch (kind) {
      case 0 -> Long.toString(r.nextLong() >> r.nextInt(60));
      case 1 -> (r.nextBoolean() ? "-" : "") + r.nextInt(1000) + "." + "0".repeat(r.nextInt(3)) + r.nextInt(100)
          + (r.nextBoolean() ? "e" + (r.nextInt(40) - 20) : "");
      case 2 -> "\"" + "ab\\\"\\u0041 é\\n".substring(0, r.nextInt(12)).replaceAll("\\\\$", "") + "\"";
      case 3 -> r.nextBoolean() ? "true" : "null";
      case 4 -> "  " + r.nextInt(10);
      case 5 -> {
        var sb = new StringBuilder("[");
        int n = r.nextInt(4);
        for (int i = 0; i < n; i++) sb.append(i > 0 ? ", " : "").append(randomValue(r, depth + 1));
        yield sb.append("]").toString();
      }
      default -> {
        var sb = new StringBuilder("{");
        int n = r.nextInt(4);
        for (int i = 0; i < n; i++) {
          sb.append(i > 0 ? "," : "").append("\"k").append(r.nextInt(3)).append("\":").append(randomValue(r, depth + 1));
        }
        yield sb.append("}").toString();
      }
    };
  }
}
