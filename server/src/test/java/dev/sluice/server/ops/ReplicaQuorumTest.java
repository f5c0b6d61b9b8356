package dev.sluice.server.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.server.ops.ReplicaQuorum.Seen;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The replica-set quorum behind readiness: 2 of 3 reachable nodes, this one included. */
class ReplicaQuorumTest {
  private static final String A = "10.0.0.1:25520";
  private static final String B = "10.0.0.2:25520";
  private static final String C = "10.0.0.3:25520";
  private static final List<String> SET = List.of(A, B, C);

  @Test
  void allThreeReachable() {
    ReplicaQuorum q = ReplicaQuorum.assess(SET, A, true, Map.of(B, Seen.ALIVE, C, Seen.ALIVE));
    assertEquals(3, q.reachable());
    assertEquals(2, q.needed());
    assertTrue(q.reached());
    assertNull(q.problem());
  }

  @Test
  void oneUnreachablePeerLeavesAQuorum() {
    ReplicaQuorum q = ReplicaQuorum.assess(SET, A, true, Map.of(B, Seen.ALIVE, C, Seen.UNREACHABLE));
    assertEquals(2, q.reachable());
    assertTrue(q.reached());
    assertEquals(List.of(C + " (unreachable)"), q.unreachable());
  }

  @Test
  void twoPeersGoneIsNoQuorum() {
    ReplicaQuorum q = ReplicaQuorum.assess(SET, A, true, Map.of(B, Seen.UNREACHABLE, C, Seen.GONE));
    assertEquals(1, q.reachable());
    assertFalse(q.reached());
    assertTrue(q.problem().contains("only 1 of the replica set's 3 nodes"), q.problem());
    assertTrue(q.problem().contains(B + " (unreachable)"), q.problem());
    assertTrue(q.problem().contains(C + " (down or leaving)"), q.problem());
  }

  @Test
  void peersThatNeverJoinedDoNotCount() {
    // A node that starts alone (its peers not started yet) is not ready.
    ReplicaQuorum q = ReplicaQuorum.assess(SET, A, true, Map.of());
    assertEquals(1, q.reachable());
    assertFalse(q.reached());
    assertTrue(q.problem().contains(B + " (not a cluster member)"), q.problem());
  }

  @Test
  void thisNodeCountsOnlyWhileAlive() {
    assertTrue(ReplicaQuorum.assess(SET, A, true, Map.of(B, Seen.ALIVE)).reached());
    ReplicaQuorum q = ReplicaQuorum.assess(SET, A, false, Map.of(B, Seen.ALIVE));
    assertFalse(q.reached());
    assertTrue(q.problem().contains("this node, no longer an alive member"), q.problem());
  }

  @Test
  void membersOutsideTheReplicaSetDoNotCount() {
    ReplicaQuorum q = ReplicaQuorum.assess(SET, A, true, Map.of("10.0.0.9:25520", Seen.ALIVE));
    assertEquals(1, q.reachable());
    assertFalse(q.reached());
  }
}
