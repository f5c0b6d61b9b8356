package dev.sluice.subscriptions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.subscriptions.rules.Json;
import dev.sluice.subscriptions.rules.SubscriptionSpec;

/** The body of a pull-wake claim: {@code {"worker": "..."}} (checklist §15 "Pull-wake"). */
final class Claims {
  private Claims() {}

  static String worker(String body) {
    JsonNode n;
    try {
      n = body == null || body.isBlank() ? Json.MAPPER.createObjectNode() : Json.MAPPER.readTree(body);
    } catch (Exception e) {
      throw new SubscriptionSpec.Invalid("INVALID_REQUEST", "body is not valid JSON");
    }
    if (n == null || !n.isObject()) throw new SubscriptionSpec.Invalid("INVALID_REQUEST", "body must be a JSON object");
    JsonNode w = n.get("worker");
    if (w == null || !w.isTextual() || w.asText().isEmpty() || w.asText().length() > 256) {
      throw new SubscriptionSpec.Invalid("INVALID_REQUEST", "worker must be a non-empty string (at most 256 characters)");
    }
    return w.asText();
  }
}
