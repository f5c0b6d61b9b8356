package dev.sluice.subscriptions.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.core.CborSerializable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * A subscription's configuration (checklist §15 "PUT __ds/subscriptions/:id"), validated and
 * normalized: streams deduplicated and sorted, the lease defaulted. Two PUTs are "the same" when
 * their {@link #configHash} (SHA-256 over the normalized form) is equal: 200, else 409.
 */
public record SubscriptionSpec(
    String type, String pattern, List<String> streams, String webhookUrl, String wakeStream, long leaseTtlMs,
    String description) implements CborSerializable {

  public static final String WEBHOOK = "webhook";
  public static final String PULL_WAKE = "pull-wake";
  /** Embedding applications' subscriptions: wakes go to in-process listeners only (README "Subscriptions"). */
  public static final String LOCAL = "local";
  public static final long DEFAULT_LEASE_MS = 30_000;
  public static final long MIN_LEASE_MS = 1_000;
  public static final long MAX_LEASE_MS = 600_000;
  public static final int MAX_STREAMS = 1_000;
  public static final int MAX_DESCRIPTION = 1_024;
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9._~-]{1,128}");
  private static final ObjectMapper JSON = new ObjectMapper();

  public SubscriptionSpec {
    streams = List.copyOf(new TreeSet<>(streams));
  }

  /** A refused input: the error code and message of the 4xx answer. */
  public static final class Invalid extends RuntimeException {
    private final String code;

    public Invalid(String code, String message) {
      super(message, null, false, false);
      this.code = code;
    }

    public String code() {
      return code;
    }
  }

  /** Whether {@code id} may name a subscription (one URL segment, unreserved characters). */
  public static boolean validId(String id) {
    return id != null && ID.matcher(id).matches() && !id.equals(".") && !id.equals("..");
  }

  /** Why {@code path} cannot be a stream path (relative to the stream root), or null. */
  public static String pathProblem(String path) {
    if (path == null || path.isEmpty()) return "stream path must be a non-empty string";
    if (path.length() > 1024) return "stream path is longer than 1024 characters";
    for (String s : path.split("/", -1)) {
      if (s.isEmpty()) return "stream path '" + path + "' has an empty segment";
      if (s.equals(".") || s.equals("..")) return "stream path '" + path + "' has a dot segment";
      if (s.equals("__ds")) return "stream path '" + path + "' is in the reserved __ds namespace";
    }
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\uFFFD') return "stream path has a control or invalid character";
    }
    return null;
  }

  /**
   * Parses a PUT body.
   *
   * @throws Invalid {@code INVALID_REQUEST} for malformed input, {@code WEBHOOK_URL_REJECTED} for an unsafe URL
   */
  public static SubscriptionSpec parse(String body, boolean allowLocalHttp) {
    JsonNode n;
    try {
      n = JSON.readTree(body);
    } catch (Exception e) {
      throw bad("body is not valid JSON");
    }
    if (n == null || !n.isObject()) throw bad("body must be a JSON object");
    String type = text(n, "type", true);
    if (!type.equals(WEBHOOK) && !type.equals(PULL_WAKE)) throw bad("type must be \"webhook\" or \"pull-wake\"");
    String pattern = text(n, "pattern", false);
    if (pattern != null) {
      try {
        Glob.compile(pattern);
      } catch (IllegalArgumentException e) {
        throw bad(e.getMessage());
      }
    }
    List<String> streams = paths(n.get("streams"));
    if (pattern == null && streams.isEmpty()) throw bad("at least one of pattern or streams is required");
    String url = null;
    if (type.equals(WEBHOOK)) {
      JsonNode w = n.get("webhook");
      if (w == null || !w.isObject()) throw bad("webhook subscriptions require webhook.url");
      url = text(w, "url", true);
      String why = WebhookUrls.problem(url, allowLocalHttp);
      if (why != null) throw new Invalid("WEBHOOK_URL_REJECTED", why);
    } else if (n.hasNonNull("webhook")) {
      throw bad("webhook is only for webhook subscriptions");
    }
    String wake = text(n, "wake_stream", type.equals(PULL_WAKE));
    if (wake != null) {
      if (type.equals(WEBHOOK)) throw bad("wake_stream is only for pull-wake subscriptions");
      String why = pathProblem(wake);
      if (why != null) throw bad("wake_stream: " + why);
    }
    long lease = DEFAULT_LEASE_MS;
    JsonNode l = n.get("lease_ttl_ms");
    if (l != null && !l.isNull()) {
      if (!l.isIntegralNumber() || !l.canConvertToLong()) throw bad("lease_ttl_ms must be an integer");
      lease = l.asLong();
      if (lease < MIN_LEASE_MS || lease > MAX_LEASE_MS) {
        throw bad("lease_ttl_ms must be between " + MIN_LEASE_MS + " and " + MAX_LEASE_MS);
      }
    }
    String description = text(n, "description", false);
    if (description != null && description.length() > MAX_DESCRIPTION) {
      throw bad("description is longer than " + MAX_DESCRIPTION + " characters");
    }
    return new SubscriptionSpec(type, pattern, streams, url, wake, lease, description);
  }

  /** Parses {@code {"streams": [...]}} (POST .../streams). */
  public static List<String> parseStreams(String body) {
    JsonNode n;
    try {
      n = JSON.readTree(body);
    } catch (Exception e) {
      throw bad("body is not valid JSON");
    }
    if (n == null || !n.isObject() || !n.has("streams")) throw bad("body must be {\"streams\": [...]}");
    List<String> out = paths(n.get("streams"));
    if (out.isEmpty()) throw bad("streams must not be empty");
    return out;
  }

  private static List<String> paths(JsonNode arr) {
    if (arr == null || arr.isNull()) return List.of();
    if (!arr.isArray()) throw bad("streams must be an array of stream paths");
    if (arr.size() > MAX_STREAMS) throw bad("at most " + MAX_STREAMS + " streams");
    var out = new ArrayList<String>();
    for (JsonNode s : arr) {
      if (!s.isTextual()) throw bad("streams must be an array of stream paths");
      String why = pathProblem(s.asText());
      if (why != null) throw bad(why);
      out.add(s.asText());
    }
    return out;
  }

  private static String text(JsonNode n, String field, boolean required) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      if (required) throw bad(field + " is required");
      return null;
    }
    if (!v.isTextual()) throw bad(field + " must be a string");
    return v.asText();
  }

  private static Invalid bad(String message) {
    return new Invalid("INVALID_REQUEST", message);
  }

  public Glob glob() {
    return pattern == null ? null : Glob.compile(pattern);
  }

  /** SHA-256 of the normalized configuration: equal configs, equal hashes. */
  public String configHash() {
    ObjectNode o = JSON.createObjectNode();
    o.put("type", type);
    o.put("pattern", pattern);
    var arr = o.putArray("streams");
    streams.forEach(arr::add);
    o.put("webhook_url", webhookUrl);
    o.put("wake_stream", wakeStream);
    o.put("lease_ttl_ms", leaseTtlMs);
    o.put("description", description);
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(o.toString().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
