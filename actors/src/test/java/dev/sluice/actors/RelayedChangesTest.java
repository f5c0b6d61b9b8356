package dev.sluice.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.Bytes;
import dev.sluice.core.rules.StreamView;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.Test;

/**
 * A committed change reaches the hub's change listener (the subscriptions' match index) exactly
 * once in the cluster: on the stream owner's node. Relayed copies, which only wake live readers on
 * other nodes, must not reach the listener there, or every node with a live reader of the stream
 * would hand the same change to the same subscriptions again.
 */
class RelayedChangesTest {
  @Test
  void aRelayedChangeWakesReadersButIsNotHandedToTheListenerAgain() throws Exception {
    try (TwoMembers nodes = new TwoMembers("relayed", "")) {
      // path -> number of listener calls, over both nodes, for the append's change (tail 2)
      Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
      for (var streams : List.of(nodes.onA, nodes.onB)) {
        streams.hub().setChangeListener((path, u) -> {
          if (!u.isSpurious() && u.tail() == 2) calls.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
        });
      }
      List<String> paths = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        String p = "relayed-" + i;
        paths.add(p);
        nodes.onA.create(p, "text/plain").toCompletableFuture().get(20, TimeUnit.SECONDS);
      }
      // A live reader of every stream on node B: about half of the streams are owned by A, so
      // their changes reach B through its relay.
      List<CompletableFuture<Optional<StreamView>>> waits = new ArrayList<>();
      for (String p : paths) waits.add(nodes.onB.gateway().awaitBeyond(p, 0, Duration.ofSeconds(20)).toCompletableFuture());
      TestProbe<Object> probe = TestProbe.create(nodes.b.system());
      probe.awaitAssert(Duration.ofSeconds(20), Duration.ofMillis(50), () -> {
        assertEquals(20, nodes.onB.hub().activePaths());
        return null;
      });
      for (String p : paths) nodes.onA.append(p, "text/plain", Bytes.utf8("hi")).toCompletableFuture().get(20, TimeUnit.SECONDS);
      for (int i = 0; i < paths.size(); i++) {
        Optional<StreamView> woke = waits.get(i).get(30, TimeUnit.SECONDS);
        assertTrue(woke.isPresent(), paths.get(i) + ": the reader on B timed out instead of waking");
      }
      // Every reader woke, so every relayed copy has been published on B (the listener runs before
      // the readers are woken), and the owners published before relaying.
      for (String p : paths) assertEquals(1, calls.getOrDefault(p, new AtomicInteger()).get(), p + ": listener calls " + calls);
    }
  }
}
