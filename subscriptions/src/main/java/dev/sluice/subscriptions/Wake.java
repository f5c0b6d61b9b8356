package dev.sluice.subscriptions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.subscriptions.entity.SubscriptionEntity;
import dev.sluice.subscriptions.rules.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * One claimed wake of an embedded subscription ({@link Subscriptions#wakes}): the linked streams
 * with their acked and tail offsets. Read what is pending, then {@link #ack()} (done) to record the
 * tails and end the wake; without an ack the claim's lease runs out and the work is offered again.
 * Immutable; the ack methods may be called from any thread.
 */
public final class Wake {
  /** A linked stream: {@code ackedOffset} is {@code "-1"} before its first ack. */
  public record WakeStream(String path, String ackedOffset, String tailOffset, boolean hasPending) {
    /** The byte position to read from: just past the acked offset (0 before the first ack). */
    public long readFrom() {
      var o = dev.sluice.core.protocol.Offset.parseOrNull(ackedOffset);
      return o == null ? 0 : o.position();
    }
  }

  private final Subscriptions subs;
  private final String subscriptionId;
  private final String wakeId;
  private final long generation;
  private final String token;
  private final List<WakeStream> streams;

  Wake(Subscriptions subs, String subscriptionId, JsonNode claim) {
    this.subs = subs;
    this.subscriptionId = subscriptionId;
    this.wakeId = claim.path("wake_id").asText();
    this.generation = claim.path("generation").asLong();
    this.token = claim.path("token").asText();
    var list = new ArrayList<WakeStream>();
    for (JsonNode s : claim.path("streams")) {
      list.add(new WakeStream(s.path("path").asText(), s.path("acked_offset").asText(), s.path("tail_offset").asText(),
          s.path("has_pending").asBoolean()));
    }
    this.streams = List.copyOf(list);
  }

  public String subscriptionId() {
    return subscriptionId;
  }

  public String wakeId() {
    return wakeId;
  }

  public long generation() {
    return generation;
  }

  public List<WakeStream> streams() {
    return streams;
  }

  /** The streams with data past their acked offsets. */
  public List<WakeStream> pending() {
    return streams.stream().filter(WakeStream::hasPending).toList();
  }

  /** Acks every stream of the wake at its tail and ends the wake; completes with "is more work pending". */
  public CompletionStage<Boolean> ack() {
    var acks = new LinkedHashMap<String, String>();
    for (WakeStream s : streams) if (s.hasPending()) acks.put(s.path(), s.tailOffset());
    return ack(acks, true);
  }

  /**
   * Acks {@code offsets} (stream path to offset); {@code done} ends the wake, otherwise this is a
   * heartbeat that extends the lease. Fails with {@link SubscriptionException} when the wake is
   * stale (FENCED: the lease ran out and another worker may hold the work) or an offset is refused.
   */
  public CompletionStage<Boolean> ack(Map<String, String> offsets, boolean done) {
    var o = Json.MAPPER.createObjectNode();
    o.put("wake_id", wakeId);
    o.put("generation", generation);
    var arr = o.putArray("acks");
    offsets.forEach((p, off) -> arr.addObject().put("stream", p).put("offset", off));
    o.put("done", done);
    return subs.wakeAction(subscriptionId, "ack", token, o.toString()).thenApply(r -> {
      check(r);
      return r.body().contains("\"next_wake\":true");
    });
  }

  /** Gives the wake back unacked: it is offered again. */
  public CompletionStage<Boolean> release() {
    String body = "{\"wake_id\":\"" + wakeId + "\",\"generation\":" + generation + "}";
    return subs.wakeAction(subscriptionId, "release", token, body).thenApply(r -> {
      check(r);
      return true;
    });
  }

  static void check(SubscriptionEntity.Reply r) {
    if (r.status() >= 300) throw SubscriptionException.of(r);
  }

  @Override
  public String toString() {
    return "Wake(" + subscriptionId + " gen " + generation + ", " + streams + ")";
  }
}
