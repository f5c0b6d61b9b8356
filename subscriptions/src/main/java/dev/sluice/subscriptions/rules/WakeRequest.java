package dev.sluice.subscriptions.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.core.CborSerializable;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The body of a webhook callback, a pull-wake ack or a release (checklist §15):
 * {@code {wake_id, generation, acks: [{stream, offset}], done}}. Malformed input is
 * {@link SubscriptionSpec.Invalid} (400), never a server error.
 */
public record WakeRequest(String wakeId, Long generation, Map<String, String> acks, boolean done) implements CborSerializable {
  private static final ObjectMapper JSON = new ObjectMapper();

  public static WakeRequest parse(String body) {
    JsonNode n;
    try {
      n = body == null || body.isBlank() ? JSON.createObjectNode() : JSON.readTree(body);
    } catch (Exception e) {
      throw bad("body is not valid JSON");
    }
    if (n == null || !n.isObject()) throw bad("body must be a JSON object");
    JsonNode w = n.get("wake_id");
    if (w != null && !w.isNull() && !w.isTextual()) throw bad("wake_id must be a string");
    JsonNode g = n.get("generation");
    if (g != null && !g.isNull() && !(g.isIntegralNumber() && g.canConvertToLong())) throw bad("generation must be an integer");
    JsonNode d = n.get("done");
    if (d != null && !d.isNull() && !d.isBoolean()) throw bad("done must be a boolean");
    var acks = new LinkedHashMap<String, String>();
    JsonNode a = n.get("acks");
    if (a != null && !a.isNull()) {
      if (!a.isArray()) throw bad("acks must be an array");
      if (a.size() > SubscriptionSpec.MAX_STREAMS) throw bad("too many acks");
      for (JsonNode x : a) {
        if (!x.isObject()) throw bad("each ack must be {stream, offset}");
        JsonNode s = x.hasNonNull("stream") ? x.get("stream") : x.get("path");
        JsonNode o = x.get("offset");
        if (s == null || !s.isTextual() || o == null || !o.isTextual()) throw bad("each ack must be {stream, offset} strings");
        if ("-1".equals(o.asText())) throw bad("ack offset must not be -1");
        acks.put(s.asText(), o.asText());
      }
    }
    return new WakeRequest(w == null || w.isNull() ? null : w.asText(), g == null || g.isNull() ? null : g.asLong(),
        acks, d != null && d.asBoolean());
  }

  private static SubscriptionSpec.Invalid bad(String m) {
    return new SubscriptionSpec.Invalid("INVALID_REQUEST", m);
  }
}
