package dev.sluice.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.sluice.core.Bytes;
import dev.sluice.subscriptions.Subscriptions;
import dev.sluice.subscriptions.entity.SubscriptionEntity.Reply;
import java.nio.file.Path;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Subscription entities take snapshots ({@code sluice.subscriptions.snapshot-every}): after a
 * restart, a subscription with a long history recovers from its newest snapshot, replaying only the
 * events after it, and comes back with the same acked offsets, generation, token key and lease.
 */
class SubscriptionSnapshotTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TYPE = "application/json";
  private static final int SNAPSHOT_EVERY = 10;
  /** Each one is a wake: started, claimed, acked with a heartbeat (acked + lease extended), done. */
  private static final int WAKES = 30;

  private static <T> T await(CompletionStage<T> f) throws Exception {
    return f.toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private static Config settings(Path data) {
    return ConfigFactory.parseString("sluice.subscriptions.snapshot-every = " + SNAPSHOT_EVERY
        + "\nsluice.persistence.rocksdb.dir = \"" + data.toString().replace("\\", "/") + "\"");
  }

  private static JsonNode ok(Reply r, int status) throws Exception {
    assertEquals(status, r.status(), r.body());
    return r.body().isEmpty() ? null : JSON.readTree(r.body());
  }

  /** Claims as {@code worker}; the claim's answer (wake_id, generation, token, streams). */
  private static JsonNode claim(Subscriptions subs, String worker) throws Exception {
    return ok(await(subs.claim("snap", "{\"worker\":\"" + worker + "\"}")), 200);
  }

  private static String ack(JsonNode claim, boolean done) {
    var body = JSON.createObjectNode();
    body.put("wake_id", claim.get("wake_id").asText());
    body.put("generation", claim.get("generation").asLong());
    var acks = body.putArray("acks");
    for (JsonNode s : claim.get("streams")) acks.addObject().put("stream", s.get("path").asText()).put("offset", s.get("tail_offset").asText());
    body.put("done", done);
    return body.toString();
  }

  @Test
  void recoveryReadsTheSnapshotAndRestoresTheSameState(@TempDir Path dir) throws Exception {
    String before;
    JsonNode held;
    String staleToken;
    try (SluiceEmbedded sluice = SluiceEmbedded.start("subs-snapshot-test", settings(dir.resolve("data")))) {
      var streams = sluice.streams();
      var subs = sluice.subscriptions();
      await(streams.create("jobs/a", TYPE));
      await(streams.create("wakes", TYPE));
      ok(await(subs.put("snap", "{\"type\":\"pull-wake\",\"pattern\":\"jobs/*\",\"wake_stream\":\"wakes\","
          + "\"lease_ttl_ms\":600000}", "http://127.0.0.1")), 201);
      String previousToken = null;
      for (int i = 0; i < WAKES; i++) {
        await(streams.append("jobs/a", TYPE, Bytes.utf8("{\"n\":" + i + "}")));
        JsonNode c = claim(subs, "w1");
        String token = c.get("token").asText();
        ok(await(subs.wakeAction("snap", "ack", token, ack(c, false))), 200);
        ok(await(subs.wakeAction("snap", "ack", token, ack(c, true))), 200);
        previousToken = token;
      }
      // The last wake stays claimed, its lease running, its data acked by a heartbeat only.
      await(streams.append("jobs/a", TYPE, Bytes.utf8("{\"n\":\"last\"}")));
      held = claim(subs, "w1");
      ok(await(subs.wakeAction("snap", "ack", held.get("token").asText(), ack(held, false))), 200);
      staleToken = previousToken;
      before = await(subs.get("snap")).body();
    }

    try (SluiceEmbedded sluice = SluiceEmbedded.start("subs-snapshot-test", settings(dir.resolve("data")))) {
      var subs = sluice.subscriptions();
      String after = await(subs.get("snap")).body();
      assertEquals(before, after, "acked offsets, tails and generation as before the restart");

      Subscriptions.Recovery rec = subs.lastRecovery("snap");
      assertNotNull(rec, "the entity recovered on this node");
      assertTrue(rec.sequenceNr() >= WAKES * 4L, "the history is long: " + rec);
      // Without snapshots every event is replayed; with them at most about two intervals (the
      // newest snapshot may not have been stored yet when the node stopped).
      assertTrue(rec.replayedEvents() <= 2 * SNAPSHOT_EVERY + 4, "recovery replayed only the events after a snapshot: " + rec);

      // The lease survived: another worker is refused, the holder's token still works.
      var other = await(subs.claim("snap", "{\"worker\":\"w2\"}"));
      assertEquals(409, other.status(), other.body());
      assertTrue(other.body().contains("ALREADY_CLAIMED"), other.body());
      ok(await(subs.wakeAction("snap", "ack", held.get("token").asText(), ack(held, false))), 200);
      // So did the generation and token key: a token of an earlier wake is fenced, not unknown.
      var stale = await(subs.wakeAction("snap", "ack", staleToken, ack(held, false)));
      assertEquals(409, stale.status(), stale.body());
      assertTrue(stale.body().contains("FENCED"), stale.body());
      ok(await(subs.wakeAction("snap", "ack", held.get("token").asText(), ack(held, true))), 200);
    }
  }
}
