package dev.sluice.subscriptions;

import dev.sluice.subscriptions.entity.SubscriptionEntity;
import dev.sluice.subscriptions.rules.Json;

/** A refused subscription operation of the embedding API: the protocol's status and error code (checklist §15). */
public final class SubscriptionException extends RuntimeException {
  private final int status;
  private final String code;

  public SubscriptionException(int status, String code, String message) {
    super(code + " (" + status + "): " + message, null, false, false);
    this.status = status;
    this.code = code;
  }

  static SubscriptionException of(SubscriptionEntity.Reply r) {
    try {
      var e = Json.MAPPER.readTree(r.body()).path("error");
      return new SubscriptionException(r.status(), e.path("code").asText("ERROR"), e.path("message").asText(r.body()));
    } catch (Exception x) {
      return new SubscriptionException(r.status(), "ERROR", r.body());
    }
  }

  public int status() {
    return status;
  }

  /** For example {@code FENCED}, {@code INVALID_OFFSET}, {@code SUBSCRIPTION_ALREADY_EXISTS}. */
  public String code() {
    return code;
  }
}
