package dev.sluice.it.subscriptions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.it.support.ItEnv;
import dev.sluice.it.support.NodeProcess;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A pull-wake subscription survives {@code kill -9} (issue 10): with one wake acked, one claimed
 * (its lease running) and a stream with unacked data, the node is killed and restarted on the same
 * data dir. Afterwards the acked offset is still acked (never offered again as new), the lease still
 * fences other workers, the holder's token still works, the unacked data is still pending, and
 * streams created after the restart still match the pattern.
 */
class SubscriptionCrashIT {
  private static final String SUB = "__ds/subscriptions/crash-pull";

  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void ackedStaysAckedLeasesHoldAndUnackedIsNotLost() throws Exception {
    Path dataDir = ItEnv.freshDataDir("SubscriptionCrashIT");
    String t1;
    String t2;
    JsonNode claim1;
    JsonNode claim2;
    try (NodeProcess first = NodeProcess.start("SubscriptionCrashIT", dataDir)) {
      var c = new SubsHttp(first.baseUri());
      assertEquals(201, c.put("wake/crash", "[]").status());
      var created = c.put(SUB, "{\"type\":\"pull-wake\",\"pattern\":\"jobs/*\",\"wake_stream\":\"wake/crash\",\"lease_ttl_ms\":600000}");
      assertEquals(201, created.status(), created.body());
      assertEquals(201, c.put("jobs/a", "{\"n\":1}").status());
      c.await(SUB, s -> SubsHttp.stream(s.get("streams"), "jobs/a") != null && s.path("generation").asLong() == 1, "the first wake");

      // Wake 1: claimed and acked (done).
      claim1 = claim(c, "worker-1", 200);
      t1 = tail(claim1, "jobs/a");
      var ack1 = ack(c, claim1, "jobs/a", t1, true);
      assertEquals(200, ack1.status(), ack1.body());
      assertEquals("{\"ok\":true,\"next_wake\":false}", ack1.body());

      // Wake 2: new data on jobs/a, claimed by worker-2 and left in flight.
      assertEquals(204, c.post("jobs/a", "{\"n\":2}").status());
      claim2 = claim(c, "worker-2", 200);
      t2 = tail(claim2, "jobs/a");
      assertTrue(t2.compareTo(t1) > 0);

      // Unacked data on a stream the pattern picks up while wake 2 is claimed.
      assertEquals(201, c.put("jobs/b", "{\"n\":3}").status());
      c.await(SUB, s -> {
        JsonNode b = SubsHttp.stream(s.get("streams"), "jobs/b");
        return b != null && b.path("has_pending").asBoolean();
      }, "jobs/b linked with pending data");
      first.kill();
    }

    try (NodeProcess second = NodeProcess.start("SubscriptionCrashIT", dataDir)) {
      var c = new SubsHttp(second.baseUri());
      JsonNode sub = c.get(SUB).json();
      assertEquals(t1, SubsHttp.stream(sub.get("streams"), "jobs/a").path("acked_offset").asText(), "acked offset survived");
      assertEquals(claim2.path("generation").asLong(), sub.path("generation").asLong(), "generation survived");

      var busy = claim(c, "worker-3", 409);
      assertEquals("ALREADY_CLAIMED", busy.path("error").path("code").asText());
      assertEquals("worker-2", busy.path("error").path("current_holder").asText(), "the lease survived");

      var ack2 = ack(c, claim2, "jobs/a", t2, true);
      assertEquals(200, ack2.status(), "the holder's token still works: " + ack2.body());
      assertEquals("{\"ok\":true,\"next_wake\":true}", ack2.body(), "jobs/b's data is still pending");

      JsonNode claim3 = claim(c, "worker-3", 200);
      assertTrue(claim3.path("generation").asLong() > claim2.path("generation").asLong());
      JsonNode a = SubsHttp.stream(claim3.get("streams"), "jobs/a");
      JsonNode b = SubsHttp.stream(claim3.get("streams"), "jobs/b");
      assertFalse(a.path("has_pending").asBoolean(), "acked data is not offered again as new");
      assertTrue(b.path("has_pending").asBoolean(), "unacked data is not lost");
      assertEquals("-1", b.path("acked_offset").asText());
      var ack3 = ack(c, claim3, "jobs/b", b.path("tail_offset").asText(), true);
      assertEquals("{\"ok\":true,\"next_wake\":false}", ack3.body());
      var none = claim(c, "worker-3", 409);
      assertEquals("NO_PENDING_WORK", none.path("error").path("code").asText());

      // A stale token from before the restart is fenced, not accepted.
      var stale = ack(c, claim1, "jobs/a", t1, true);
      assertEquals(409, stale.status());
      assertEquals("FENCED", stale.json().path("error").path("code").asText());

      // The restarted node indexed the subscription again: a stream created now is picked up.
      assertEquals(201, c.put("jobs/c", "{\"n\":4}").status());
      c.await(SUB, s -> {
        JsonNode link = SubsHttp.stream(s.get("streams"), "jobs/c");
        return link != null && link.path("has_pending").asBoolean();
      }, "jobs/c linked after the restart");
    }
  }

  private static JsonNode claim(SubsHttp c, String worker, int expected) throws Exception {
    var r = c.post(SUB + "/claim", "{\"worker\":\"" + worker + "\"}");
    assertEquals(expected, r.status(), r.body());
    return r.json();
  }

  private static SubsHttp.Res ack(SubsHttp c, JsonNode claim, String stream, String offset, boolean done) throws Exception {
    String body = "{\"wake_id\":\"" + claim.path("wake_id").asText() + "\",\"generation\":" + claim.path("generation").asLong()
        + ",\"acks\":[{\"stream\":\"" + stream + "\",\"offset\":\"" + offset + "\"}],\"done\":" + done + "}";
    return c.send("POST", SUB + "/ack", body, claim.path("token").asText());
  }

  private static String tail(JsonNode claim, String path) {
    return SubsHttp.stream(claim.get("streams"), path).path("tail_offset").asText();
  }
}
