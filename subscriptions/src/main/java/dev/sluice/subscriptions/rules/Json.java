package dev.sluice.subscriptions.rules;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;

/**
 * The JSON documents of the subscription API (checklist §15): the subscription record (never a
 * secret), the webhook wake body, the claim answer, errors. Stateless, thread-safe.
 */
public final class Json {
  public static final ObjectMapper MAPPER = new ObjectMapper();

  private Json() {}

  public static String error(String code, String message) {
    ObjectNode o = MAPPER.createObjectNode();
    ObjectNode e = o.putObject("error");
    e.put("code", code);
    e.put("message", message);
    return o.toString();
  }

  public static String alreadyClaimed(String holder, long generation) {
    ObjectNode o = MAPPER.createObjectNode();
    ObjectNode e = o.putObject("error");
    e.put("code", "ALREADY_CLAIMED");
    e.put("message", "the subscription's wake is claimed by another worker");
    e.put("current_holder", holder);
    e.put("generation", generation);
    return o.toString();
  }

  /** {@code base}: scheme and authority the client used, e.g. {@code http://127.0.0.1:4437}. */
  public static String jwksUrl(String base) {
    return base + "/v1/stream/__ds/jwks.json";
  }

  public static String actionUrl(String base, String id, String action) {
    return base + "/v1/stream/__ds/subscriptions/" + id + "/" + action;
  }

  /** GET / PUT answer. */
  public static String record(String id, SubState s, String kid, String failedStatus) {
    SubscriptionSpec spec = s.spec;
    ObjectNode o = MAPPER.createObjectNode();
    o.put("id", id);
    o.put("subscription_id", id);
    o.put("type", spec.type());
    if (spec.pattern() != null) o.put("pattern", spec.pattern());
    ArrayNode streams = o.putArray("streams");
    for (SubState.StreamInfo i : s.streams()) {
      ObjectNode x = streams.addObject();
      x.put("path", i.path());
      x.put("link_type", i.linkType());
      x.put("acked_offset", SubState.StreamInfo.offset(i.acked()));
      x.put("tail_offset", SubState.StreamInfo.offset(i.tail()));
      x.put("has_pending", i.hasPending());
    }
    if (spec.webhookUrl() != null) {
      ObjectNode w = o.putObject("webhook");
      w.put("url", spec.webhookUrl());
      ObjectNode sig = w.putObject("signing");
      sig.put("alg", "ed25519");
      sig.put("kid", kid);
      sig.put("jwks_url", jwksUrl(s.baseUrl));
    }
    if (spec.wakeStream() != null) o.put("wake_stream", spec.wakeStream());
    o.put("lease_ttl_ms", spec.leaseTtlMs());
    o.put("created_at", Instant.ofEpochMilli(s.createdAtMillis).toString());
    o.put("status", failedStatus);
    if (spec.description() != null) o.put("description", spec.description());
    o.put("generation", s.generation);
    return o.toString();
  }

  public static ArrayNode streams(List<SubState.StreamInfo> infos) {
    ArrayNode arr = MAPPER.createArrayNode();
    for (SubState.StreamInfo i : infos) {
      ObjectNode x = arr.addObject();
      x.put("path", i.path());
      x.put("link_type", i.linkType());
      x.put("acked_offset", SubState.StreamInfo.offset(i.acked()));
      x.put("tail_offset", SubState.StreamInfo.offset(i.tail()));
      x.put("has_pending", i.hasPending());
    }
    return arr;
  }

  /** The webhook POST body. */
  public static String wakeBody(String id, SubState s, String token) {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("subscription_id", id);
    o.put("wake_id", s.wakeId);
    o.put("generation", s.generation);
    o.set("streams", streams(s.wakeStreams()));
    o.put("callback_url", actionUrl(s.baseUrl, id, "callback"));
    o.put("callback_token", token);
    return o.toString();
  }

  /** The pull-wake claim answer. */
  public static String claim(SubState s, String token) {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("wake_id", s.wakeId);
    o.put("generation", s.generation);
    o.put("token", token);
    o.set("streams", streams(s.wakeStreams()));
    o.put("lease_ttl_ms", s.spec.leaseTtlMs());
    return o.toString();
  }

  /** The event a pull-wake subscription appends to its wake stream. */
  public static String wakeEvent(String id, String stream, long generation, long ts) {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("type", "wake");
    o.put("subscription_id", id);
    o.put("stream", stream);
    o.put("generation", generation);
    o.put("ts", ts);
    return o.toString();
  }

  public static String ok(boolean nextWake) {
    return "{\"ok\":true,\"next_wake\":" + nextWake + "}";
  }
}
