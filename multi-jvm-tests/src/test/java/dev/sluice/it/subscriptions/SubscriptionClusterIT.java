package dev.sluice.it.subscriptions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.it.support.ClusterOfThree;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Subscriptions on a replicated 3-node cluster of real processes (checklist §15; README
 * "Subscriptions"). A webhook subscription (a real loopback receiver) and a pull-wake subscription
 * are created through node 0; appends go through nodes 1 and 2 to streams owned by each of the
 * three nodes, and every one of them wakes its subscription, which is then acked. Then the node
 * that runs a subscription's entity is killed ({@code kill -9}): a later append through a survivor
 * still wakes it (the entity recovers on another node from the replicated journal), with a newer
 * generation and only the new data pending, so no acked wake is offered again.
 */
class SubscriptionClusterIT {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String HOOK_ID = "c-hook";
  /** Sharding's shards in {@code sluice/cluster.conf} ({@code number-of-shards}). */
  private static final int SHARDS = 100;
  /** In the same shard as {@link #HOOK_ID}, so both entities run on one node and one kill tests both. */
  private static final String PULL_ID = sameShardAs(HOOK_ID, "c-pull-");
  private static final String HOOK = "__ds/subscriptions/" + HOOK_ID;
  private static final String PULL = "__ds/subscriptions/" + PULL_ID;
  private static final String WAKES = "wake/c-pull";

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  @Timeout(value = 8, unit = TimeUnit.MINUTES)
  void streamsOwnedAnywhereWakeSubscriptionsAlsoAfterTheirNodeIsKilled() throws Exception {
    try (var cluster = new ClusterOfThree("SubscriptionClusterIT"); var receiver = new WebhookReceiver()) {
      cluster.startAll();
      cluster.awaitUp(3, Duration.ofMinutes(2));
      SubsHttp[] via = {client(cluster, 0), client(cluster, 1), client(cluster, 2)};

      // One stream per owner for each pattern, created through node 1 before the subscriptions.
      List<String> hooked = streamPerOwner(cluster, via[1], "hk");
      List<String> pulled = streamPerOwner(cluster, via[1], "pw");
      assertEquals(201, via[2].put(WAKES, "[]").status());

      var h = via[0].put(HOOK, "{\"type\":\"webhook\",\"pattern\":\"hk/*\",\"webhook\":{\"url\":\"" + receiver.url() + "\"}}");
      assertEquals(201, h.status(), h.body());
      var p = via[0].put(PULL, "{\"type\":\"pull-wake\",\"pattern\":\"pw/*\",\"wake_stream\":\"" + WAKES + "\",\"lease_ttl_ms\":60000}");
      assertEquals(201, p.status(), p.body());

      // Appends through the nodes the subscriptions were not created through, to every owner.
      for (int i = 0; i < 3; i++) {
        assertEquals(204, via[1 + i % 2].post(hooked.get(i), "{\"n\":" + i + "}").status());
        assertEquals(204, via[2 - i % 2].post(pulled.get(i), "{\"n\":" + i + "}").status());
      }
      long hookGen = awaitWebhookWakes(receiver, Set.copyOf(hooked), -1);
      Map<String, String> hookAcked = awaitAllAcked(via[2], HOOK, hooked);
      var wakeCursor = new String[] {"-1"};
      long pullGen = claimAndAckUntil(via, wakeCursor, Set.copyOf(pulled), -1);
      Map<String, String> pullAcked = awaitAllAcked(via[1], PULL, pulled);
      System.out.printf("SubscriptionClusterIT: every owner woke both subscriptions (webhook generation %d, pull-wake %d)%n",
          hookGen, pullGen);

      // kill -9 of the node that runs both subscriptions' entities (one shard).
      int victim = runsOn(cluster, HOOK_ID);
      assertEquals(victim, runsOn(cluster, PULL_ID), "both entities run in one shard");
      System.out.printf("SubscriptionClusterIT: %s and %s run on node %d; killing it%n", HOOK_ID, PULL_ID, victim);
      cluster.node(victim).kill();
      // Nothing asks the entities before the appends below: those alone must bring them back.
      hookGen = wakeAfterKill(via, receiver, victim, hooked, hookGen, hookAcked);
      pullGen = pullAfterKill(via, wakeCursor, victim, pulled, pullGen, pullAcked);
      int hookNow = runsOn(cluster, HOOK_ID);
      assertTrue(hookNow != victim && runsOn(cluster, PULL_ID) == hookNow, "the entities moved together to a survivor");
      System.out.printf("SubscriptionClusterIT: after the kill, webhook generation %d, pull-wake %d%n", hookGen, pullGen);
    }
  }

  /** After {@code victim} died: an append through a survivor wakes the webhook subscription with only that stream pending. */
  private long wakeAfterKill(SubsHttp[] via, WebhookReceiver receiver, int victim, List<String> hooked,
                             long lastGen, Map<String, String> acked) throws Exception {
    int a = (victim + 1) % 3;
    int b = (victim + 2) % 3;
    Map<String, String> ackedBefore = acked;
    // First a stream owned by a survivor, then the one the victim owned (its entity moves too).
    for (String stream : List.of(hooked.get(a), hooked.get(victim))) {
      appendRetrying(via[b], stream);
      JsonNode w = receiver.next(WAIT, "wake for " + stream + " after the kill");
      long gen = w.path("generation").asLong();
      assertTrue(gen > lastGen, "a wake after the kill repeats generation " + gen + " (last acked " + lastGen + "): " + w);
      for (JsonNode s : w.get("streams")) {
        String path = s.path("path").asText();
        assertEquals(path.equals(stream), s.path("has_pending").asBoolean(), "pending in the wake after the kill: " + w);
        if (!path.equals(stream)) assertEquals(ackedBefore.get(path), s.path("acked_offset").asText(), "acked offset kept: " + w);
      }
      ackedBefore = awaitAllAcked(via[a], HOOK, hooked);
      lastGen = gen;
    }
    JsonNode extra = receiver.poll(Duration.ofSeconds(1));
    assertEquals(null, extra, "no further webhook wake is due");
    return lastGen;
  }

  /** After {@code victim} died: an append through a survivor gives the pull-wake subscription a claimable wake of only that stream. */
  private long pullAfterKill(SubsHttp[] via, String[] wakeCursor, int victim, List<String> pulled,
                             long lastGen, Map<String, String> ackedBefore) throws Exception {
    int a = (victim + 1) % 3;
    int b = (victim + 2) % 3;
    appendRetrying(via[b], pulled.get(a));
    long gen = claimAndAckUntil(new SubsHttp[] {via[a], via[b], via[a]}, wakeCursor, Set.of(pulled.get(a)), lastGen);
    Map<String, String> after = awaitAllAcked(via[b], PULL, pulled);
    for (String s : pulled) {
      if (!s.equals(pulled.get(a))) assertEquals(ackedBefore.get(s), after.get(s), "acked offset of " + s + " kept");
    }
    var none = via[a].post(PULL + "/claim", "{\"worker\":\"w-after\"}");
    assertEquals(409, none.status(), none.body());
    assertEquals("NO_PENDING_WORK", none.json().path("error").path("code").asText());
    return gen;
  }

  /** Takes webhook wakes (each acked by the receiver's {@code done}) until every one of {@code streams} was pending in one. */
  private static long awaitWebhookWakes(WebhookReceiver receiver, Set<String> streams, long after) throws Exception {
    Set<String> seen = new HashSet<>();
    long gen = after;
    while (!seen.containsAll(streams)) {
      JsonNode w = receiver.next(WAIT, "wakes for " + streams + ", seen " + seen);
      assertTrue(w.path("generation").asLong() > gen, "generations increase: " + w);
      gen = w.path("generation").asLong();
      for (JsonNode s : w.get("streams")) if (s.path("has_pending").asBoolean()) seen.add(s.path("path").asText());
    }
    return gen;
  }

  /**
   * Claims and acks (done) pull-wake wakes, through {@code via[2]} and {@code via[1]}, until every
   * one of {@code streams} was pending in one; with nothing to claim, waits on the wake stream
   * (long-poll through {@code via[0]}) for the subscription's next wake event.
   */
  private long claimAndAckUntil(SubsHttp[] via, String[] wakeCursor, Set<String> streams, long after) throws Exception {
    Set<String> seen = new HashSet<>();
    long gen = after;
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!seen.containsAll(streams)) {
      assertTrue(System.nanoTime() < deadline, "pull-wake wakes for " + streams + " not claimed in time; seen " + seen);
      var c = via[2].post(PULL + "/claim", "{\"worker\":\"w1\"}");
      if (c.status() == 409) {
        assertEquals("NO_PENDING_WORK", c.json().path("error").path("code").asText(), c.body());
        wakeCursor[0] = awaitWakeEvent(via[0], wakeCursor[0]);
        continue;
      }
      assertEquals(200, c.status(), c.body());
      JsonNode claim = c.json();
      assertTrue(claim.path("generation").asLong() > gen, "generations increase: " + claim);
      gen = claim.path("generation").asLong();
      List<String> acks = new ArrayList<>();
      for (JsonNode s : claim.get("streams")) {
        if (!s.path("has_pending").asBoolean()) continue;
        seen.add(s.path("path").asText());
        acks.add("{\"stream\":\"" + s.path("path").asText() + "\",\"offset\":\"" + s.path("tail_offset").asText() + "\"}");
      }
      String body = "{\"wake_id\":\"" + claim.path("wake_id").asText() + "\",\"generation\":" + gen + ",\"acks\":["
          + String.join(",", acks) + "],\"done\":true}";
      var ack = via[1].send("POST", PULL + "/ack", body, claim.path("token").asText());
      assertEquals(200, ack.status(), ack.body());
    }
    return gen;
  }

  /** Long-polls the wake stream from {@code offset}; returns the offset after what it got (the same one on a timeout). */
  private String awaitWakeEvent(SubsHttp c, String offset) throws Exception {
    var r = http.send(HttpRequest.newBuilder(c.base().resolve("/v1/stream/" + WAKES + "?offset=" + offset + "&live=long-poll"))
        .timeout(Duration.ofSeconds(40)).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertTrue(r.statusCode() == 200 || r.statusCode() == 204, "wake stream long-poll: " + r.statusCode() + " " + r.body());
    return r.headers().firstValue("Stream-Next-Offset").orElse(offset);
  }

  /** Waits until every one of {@code streams} is acked up to its tail; returns the acked offsets. */
  private static Map<String, String> awaitAllAcked(SubsHttp c, String sub, List<String> streams) throws Exception {
    JsonNode s = c.await(sub, j -> {
      for (String path : streams) {
        JsonNode l = SubsHttp.stream(j.get("streams"), path);
        if (l == null || l.path("has_pending").asBoolean() || !l.path("acked_offset").asText().equals(l.path("tail_offset").asText())) {
          return false;
        }
      }
      return true;
    }, "every stream of " + sub + " acked");
    return ackedOffsets(s);
  }

  private static Map<String, String> ackedOffsets(JsonNode sub) {
    Map<String, String> out = new HashMap<>();
    for (JsonNode l : sub.get("streams")) out.put(l.path("path").asText(), l.path("acked_offset").asText());
    return out;
  }

  /** An append through {@code c}, retried while the cluster still settles after a kill (5xx or no answer). */
  private static void appendRetrying(SubsHttp c, String stream) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    String last = "";
    while (System.nanoTime() < deadline) {
      try {
        var r = c.post(stream, "{\"after\":\"kill\"}");
        if (r.status() == 204) return;
        last = r.status() + " " + r.body();
        assertTrue(r.status() >= 500, "append to " + stream + ": " + last);
      } catch (java.io.IOException e) {
        last = e.toString();
      }
    }
    throw new AssertionError("append to " + stream + " not accepted within 60 s: " + last);
  }

  /**
   * Creates {@code prefix/0}, {@code prefix/1}, ... through {@code c} until each node owns one;
   * returns them indexed by owner.
   */
  private List<String> streamPerOwner(ClusterOfThree cluster, SubsHttp c, String prefix) throws Exception {
    String[] byOwner = new String[3];
    for (int i = 0; i < 60 && (byOwner[0] == null || byOwner[1] == null || byOwner[2] == null); i++) {
      String path = prefix + "/" + i;
      assertEquals(201, c.put(path, "[]").status());
      int owner = ownerOf(cluster, c, path);
      if (byOwner[owner] == null) byOwner[owner] = path;
    }
    for (int n = 0; n < 3; n++) assertNotNull(byOwner[n], "no " + prefix + " stream owned by node " + n);
    return List.of(byOwner);
  }

  private int ownerOf(ClusterOfThree cluster, SubsHttp c, String path) throws Exception {
    var r = http.send(HttpRequest.newBuilder(c.base().resolve("/admin/streams/" + path)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    String owner = SubsHttp.JSON.readTree(r.body()).path("owner").asText();
    for (int i = 0; i < 3; i++) if (owner.endsWith(":" + cluster.proxy().proxyPort(i))) return i;
    throw new AssertionError("owner of " + path + " is no node: " + r.body());
  }

  /** The node that last logged running subscription {@code id}'s entity. */
  private static int runsOn(ClusterOfThree cluster, String id) throws Exception {
    String line = "subscription " + id + " runs on this node";
    int found = -1;
    for (int i = 0; i < 3; i++) {
      if (cluster.isAlive(i) && Files.readString(cluster.node(i).logFile()).contains(line)) {
        assertEquals(-1, found, id + " runs on nodes " + found + " and " + i);
        found = i;
      }
    }
    assertFalse(found < 0, "no live node logged '" + line + "'");
    return found;
  }

  /** {@code prefix + k} for the first k in the shard of {@code id} (Pekko's default extractor: |hashCode % shards|). */
  private static String sameShardAs(String id, String prefix) {
    int shard = Math.abs(id.hashCode() % SHARDS);
    for (int k = 0; ; k++) {
      if (Math.abs((prefix + k).hashCode() % SHARDS) == shard) return prefix + k;
    }
  }

  private static SubsHttp client(ClusterOfThree cluster, int i) {
    return new SubsHttp(URI.create(cluster.node(i).baseUri().toString()));
  }
}
