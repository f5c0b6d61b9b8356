package dev.sluice.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.actors.api.SluiceStreams;
import dev.sluice.core.Bytes;
import dev.sluice.core.rules.Commands;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Bodies larger than Artery's maximum frame (256 KiB by default) reach a stream's owner on another
 * node. Two cluster members in one JVM (real Artery on loopback, default frame size); ten streams
 * created through node A, then a 1 MiB append to each through node B (Cluster Sharding puts about
 * half of them on A). Before the gateway sent large bodies in parts, Artery failed to serialize the
 * one envelope ("CodedOutputStream ran out of space"), dropped it, and the append timed out.
 * The same for a PUT with a large body through B.
 *
 * <p>The journal is Pekko's in-memory one and data reads are not exercised, so the single-node
 * guard is off for this test.
 */
class CrossNodeLargeBodyTest {
  private static final int MIB = 1 << 20;
  @Test
  void largeBodiesThroughANonOwnerNodeReachTheOwner() throws Exception {
    try (TwoMembers nodes = new TwoMembers("big", "sluice.actors.ask-timeout = 5s")) {
      check(nodes.onA, nodes.onB);
    }
  }

  private static void check(SluiceStreams onA, SluiceStreams onB) throws Exception {
    byte[] body = new byte[MIB];
    new Random(42).nextBytes(body);
    List<String> paths = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      String p = "big-" + i;
      paths.add(p);
      onA.create(p, "application/octet-stream").toCompletableFuture().get(20, TimeUnit.SECONDS);
    }
    List<String> failures = new ArrayList<>();
    for (String p : paths) {
      try {
        var r = onB.append(p, "application/octet-stream", Bytes.wrap(body)).toCompletableFuture().get(20, TimeUnit.SECONDS);
        assertEquals(MIB, r.nextOffset().position(), p);
      } catch (java.util.concurrent.ExecutionException e) {
        failures.add(p + ": " + e.getCause());
      }
    }
    assertTrue(failures.isEmpty(), "appends of 1 MiB through B failed: " + failures);
    for (String p : paths) {
      var v = onA.gateway().view(p, false).toCompletableFuture().get(20, TimeUnit.SECONDS);
      assertEquals(MIB, v.tail(), p);
    }

    // PUT with a large body, through B.
    for (int i = 0; i < 10; i++) {
      String p = "big-put-" + i;
      try {
        var r = onB.gateway().create(p, new Commands.Create("application/octet-stream", null, null, false,
            Bytes.wrap(body), null)).toCompletableFuture().get(20, TimeUnit.SECONDS);
        assertTrue(r.created(), p);
        assertEquals(MIB, r.info().tail().position(), p);
      } catch (java.util.concurrent.ExecutionException e) {
        failures.add(p + ": " + e.getCause());
      }
    }
    assertTrue(failures.isEmpty(), "creates with 1 MiB bodies through B failed: " + failures);
  }
}
