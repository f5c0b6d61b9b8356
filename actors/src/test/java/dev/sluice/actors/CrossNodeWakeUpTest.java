package dev.sluice.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.actors.api.SluiceStreams;
import dev.sluice.core.Bytes;
import dev.sluice.core.rules.StreamView;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.Test;

/**
 * Live readers connected to one node wake up when the stream's owner on ANOTHER node commits.
 * Two cluster members in one JVM (real Artery on loopback); 20 streams spread over both by Cluster
 * Sharding, so about half are owned by the node the readers are not on. Each reader long-polls
 * through node B with a 20 s timeout, then each stream gets an append through node A: every reader
 * must wake with the new tail well before its timeout. Without the relay the readers of streams
 * owned by A slept until their timeout.
 *
 * <p>The journal is Pekko's in-memory one (only the owner ever reads its stream's events here) and
 * data reads are not exercised, so the single-node guard is off for this test.
 */
class CrossNodeWakeUpTest {
  @Test
  void aReaderOnOneNodeWakesWhenTheOwnerOnAnotherNodeCommits() throws Exception {
    try (TwoMembers nodes = new TwoMembers("wake", "")) {
      check(nodes.onA, nodes.onB, TestProbe.create(nodes.b.system()));
    }
  }

  private static void check(SluiceStreams onA, SluiceStreams onB, TestProbe<Object> probe) throws Exception {
    List<String> paths = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      String p = "wake-" + i;
      paths.add(p);
      onA.create(p, "text/plain").toCompletableFuture().get(20, TimeUnit.SECONDS);
    }
    List<CompletableFuture<Optional<StreamView>>> waits = new ArrayList<>();
    for (String p : paths) {
      waits.add(onB.gateway().awaitBeyond(p, 0, Duration.ofSeconds(20)).toCompletableFuture());
    }
    // Every wait has looked (asked its entity) before the appends: the first look registers the watch.
    probe.awaitAssert(Duration.ofSeconds(20), Duration.ofMillis(50), () -> {
      assertEquals(20, onB.hub().activePaths());
      return null;
    });
    long t0 = System.nanoTime();
    for (String p : paths) {
      onA.append(p, "text/plain", Bytes.utf8("hi")).toCompletableFuture().get(20, TimeUnit.SECONDS);
    }
    for (int i = 0; i < paths.size(); i++) {
      Optional<StreamView> woke = waits.get(i).get(30, TimeUnit.SECONDS);
      assertTrue(woke.isPresent(), paths.get(i) + " timed out instead of waking");
      assertEquals(2, woke.get().tail(), paths.get(i));
    }
    long millis = (System.nanoTime() - t0) / 1_000_000;
    assertTrue(millis < 10_000, "all readers woke " + millis + " ms after the appends began (timeout 20 s)");
  }
}
