package dev.sluice.core.rules;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.sluice.core.Bytes;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Body preparation (PROTOCOL.md §7 JSON mode): binary bodies are stored as they are; JSON bodies
 * are validated and flattened one level - {@code [a,b]} is two messages, a non-array value is one
 * message - and each message is re-serialized compactly. A stored JSON unit is its messages joined
 * by {@code ,} so a read of many units is {@code "[" + join(units, ",") + "]"}.
 *
 * <p>Thread-safe.
 */
public final class Payloads {
  private static final ObjectMapper MAPPER = JsonMapper.builder()
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
      .build();

  /**
   * Re-reads stored units wrapped in {@code [...]}: one level deeper than anything {@link #MAPPER}
   * accepted, so a value at the nesting limit that was stored can always be split again.
   */
  private static final ObjectMapper UNIT_READER;

  static {
    var factory = com.fasterxml.jackson.core.JsonFactory.builder()
        .streamReadConstraints(com.fasterxml.jackson.core.StreamReadConstraints.builder()
            .maxNestingDepth(com.fasterxml.jackson.core.StreamReadConstraints.DEFAULT_MAX_DEPTH + 1)
            .build())
        .build();
    UNIT_READER = JsonMapper.builder(factory)
        .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
        .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
        .build();
  }

  private Payloads() {}

  public static Payload binary(Bytes body) {
    return body.isEmpty() ? Payload.EMPTY : new Payload(body, 0, Payload.Error.NONE, false);
  }

  public static Payload forContentType(String contentType, Bytes body) {
    return dev.sluice.core.protocol.ContentTypes.isJson(contentType) ? json(body) : binary(body);
  }

  public static Payload json(Bytes body) {
    if (body.isEmpty()) return Payload.EMPTY;
    JsonNode root;
    try {
      root = MAPPER.readTree(body.unsafeArray());
    } catch (IOException | RuntimeException e) {
      return new Payload(Bytes.EMPTY, 0, Payload.Error.INVALID_JSON, false);
    }
    if (root == null || root.isMissingNode()) return new Payload(Bytes.EMPTY, 0, Payload.Error.INVALID_JSON, false);
    List<JsonNode> messages = new ArrayList<>();
    if (root.isArray()) root.forEach(messages::add);
    else messages.add(root);
    if (messages.isEmpty()) return new Payload(Bytes.EMPTY, 0, Payload.Error.EMPTY_ARRAY, false);
    return new Payload(join(messages), messages.size(), Payload.Error.NONE, false);
  }

  /** The messages of a stored JSON unit, each compact. */
  public static List<JsonNode> jsonMessages(Bytes unit) {
    try {
      var out = new ArrayList<JsonNode>();
      UNIT_READER.readTree(wrapArray(unit)).forEach(out::add);
      return out;
    } catch (IOException e) {
      throw new IllegalStateException("stored JSON unit is not valid JSON", e);
    }
  }

  /** A stored JSON unit made of the given messages. */
  public static Bytes join(List<JsonNode> messages) {
    var out = new ByteArrayOutputStream();
    try {
      for (int i = 0; i < messages.size(); i++) {
        if (i > 0) out.write(',');
        out.write(MAPPER.writeValueAsBytes(messages.get(i)));
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return Bytes.wrap(out.toByteArray());
  }

  private static byte[] wrapArray(Bytes unit) {
    byte[] b = new byte[unit.length() + 2];
    b[0] = '[';
    System.arraycopy(unit.unsafeArray(), 0, b, 1, unit.length());
    b[b.length - 1] = ']';
    return b;
  }
}
