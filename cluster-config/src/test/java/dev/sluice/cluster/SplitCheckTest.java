package dev.sluice.cluster;

import static dev.sluice.cluster.SplitCheck.bit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class SplitCheckTest {
  private static final long A = bit(0);
  private static final long B = bit(1);
  private static final long C = bit(2);

  @Test
  void aLoneNodeBesideAClusterOfTwoLeavesAfterTwoRoundsAndTheTwoStay() {
    SplitCheck lone = new SplitCheck(2, 3);
    assertInstanceOf(SplitCheck.Fine.class, lone.next(C, new long[] {A | B, A | B, 0}));
    assertEquals(new SplitCheck.Split(0, C, A | B, true), lone.next(C, new long[] {A | B, A | B, 0}));

    SplitCheck pair = new SplitCheck(0, 3);
    assertInstanceOf(SplitCheck.Fine.class, pair.next(A | B, new long[] {0, A | B, C}));
    assertEquals(new SplitCheck.Split(2, A | B, C, false), pair.next(A | B, new long[] {0, A | B, C}));
  }

  @Test
  void ofTwoEqualClustersTheOneWithTheLowestOrdinalStays() {
    SplitCheck b = new SplitCheck(1, 3);
    b.next(B, new long[] {A, 0, 0});
    assertEquals(new SplitCheck.Split(0, B, A, true), b.next(B, new long[] {A, 0, 0}));
    SplitCheck a = new SplitCheck(0, 3);
    a.next(A, new long[] {0, B, 0});
    assertEquals(new SplitCheck.Split(1, A, B, false), a.next(A, new long[] {0, B, 0}));
  }

  @Test
  void oneCleanRoundInBetweenStartsTheCountAgain() {
    SplitCheck c = new SplitCheck(2, 3);
    c.next(C, new long[] {A | B, 0, 0});
    assertInstanceOf(SplitCheck.Fine.class, c.next(C, new long[] {0, 0, 0}));
    assertInstanceOf(SplitCheck.Fine.class, c.next(C, new long[] {A | B, 0, 0}));
    assertInstanceOf(SplitCheck.Split.class, c.next(C, new long[] {A | B, 0, 0}));
  }

  @Test
  void viewsThatOverlapOrNameTheOtherNodeAreNotASplit() {
    SplitCheck a = new SplitCheck(0, 3);
    for (int round = 0; round < 5; round++) {
      // C restarted and is not a member yet; the others still list its old incarnation.
      assertInstanceOf(SplitCheck.Fine.class, a.next(A | B | C, new long[] {0, A | B | C, 0}));
      // B was removed from A's view but B still lists A (it has not learnt it yet).
      assertInstanceOf(SplitCheck.Fine.class, a.next(A | C, new long[] {0, A | B | C, A | C}));
      // C's answer names a set without C itself (an older node, or garbage): ignored.
      assertInstanceOf(SplitCheck.Fine.class, a.next(A | B, new long[] {0, A | B, B}));
      // Overlapping sets cannot both be right; one view is behind.
      assertInstanceOf(SplitCheck.Fine.class, a.next(A | B, new long[] {0, A | B, B | C}));
    }
  }

  @Test
  void aNodeThatIsNotAMemberItselfComparesNothing() {
    SplitCheck c = new SplitCheck(2, 3);
    for (int round = 0; round < 3; round++) {
      assertInstanceOf(SplitCheck.Fine.class, c.next(0, new long[] {A | B, A | B, 0}));
    }
  }

  @Test
  void rejectsImpossibleShapes() {
    assertThrows(IllegalArgumentException.class, () -> new SplitCheck(3, 3));
    assertThrows(IllegalArgumentException.class, () -> new SplitCheck(0, 64));
    assertThrows(IllegalArgumentException.class, () -> new SplitCheck(0, 3).next(A, new long[2]));
  }
}
