package dev.sluice.cluster;

import static dev.sluice.cluster.CrashedPeers.Probe.ACCEPTED;
import static dev.sluice.cluster.CrashedPeers.Probe.INCONCLUSIVE;
import static dev.sluice.cluster.CrashedPeers.Probe.REFUSED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CrashedPeersTest {
  private static final String B = "pekko://sluice@127.0.0.1:25572";
  private static final String C = "pekko://sluice@127.0.0.1:25573";
  private static final List<String> OTHERS = List.of(B, C);

  @Test
  void aMemberWhosePortRefusesTwiceInARowIsDownedWhenAMajorityRemains() {
    var p = new CrashedPeers(2);
    p.observe(C, REFUSED);
    assertEquals(Set.of(), p.toDown(OTHERS, 3), "one refusal could be a restart re-binding the port");
    p.observe(C, REFUSED);
    assertEquals(Set.of(C), p.toDown(OTHERS, 3));
  }

  @Test
  void anAcceptedOrInconclusiveProbeStartsTheCountAgain() {
    var p = new CrashedPeers(2);
    p.observe(C, REFUSED);
    p.observe(C, ACCEPTED);
    p.observe(C, REFUSED);
    assertEquals(Set.of(), p.toDown(OTHERS, 3));
    p.observe(C, INCONCLUSIVE);
    p.observe(C, REFUSED);
    assertEquals(Set.of(), p.toDown(OTHERS, 3), "a timeout (partition, paused host) proves nothing");
    p.observe(C, REFUSED);
    assertEquals(Set.of(C), p.toDown(OTHERS, 3));
  }

  @Test
  void aMinorityLeftBehindDownsNobodyAndLeavesItToTheSplitBrainResolver() {
    var p = new CrashedPeers(1);
    p.observe(B, REFUSED);
    p.observe(C, REFUSED);
    assertEquals(Set.of(), p.toDown(OTHERS, 3), "1 of 3 left is not a majority");
    p.observe(B, ACCEPTED);
    assertEquals(Set.of(C), p.toDown(OTHERS, 3));
    var two = new CrashedPeers(1);
    two.observe(B, REFUSED);
    assertEquals(Set.of(), two.toDown(List.of(B), 2), "1 of 2 left is not a strict majority");
  }

  @Test
  void membersThatLeftAreForgotten() {
    var p = new CrashedPeers(2);
    p.observe(C, REFUSED);
    assertEquals(Set.of(), p.toDown(List.of(B), 2));
    assertEquals(0, p.refusals(C), "C left the membership: its count is dropped");
    p.observe(C, REFUSED); // C is back (a new incarnation on the same address) and crashes again
    assertEquals(Set.of(), p.toDown(OTHERS, 3));
  }

  @Test
  void refusalsNeededMustBePositive() {
    assertThrows(IllegalArgumentException.class, () -> new CrashedPeers(0));
  }
}
