package dev.sluice.cluster;

import static dev.sluice.cluster.Formation.Seen.ALONE;
import static dev.sluice.cluster.Formation.Seen.MEMBER;
import static dev.sluice.cluster.Formation.Seen.SILENT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.sluice.cluster.Formation.Form;
import dev.sluice.cluster.Formation.Join;
import dev.sluice.cluster.Formation.Seen;
import dev.sluice.cluster.Formation.Wait;
import org.junit.jupiter.api.Test;

class FormationTest {
  private static final int N = -1;

  private static Seen[] seen(Seen... s) {
    return s;
  }

  private static int[] named(int... c) {
    return c;
  }

  @Test
  void aRestartedFirstNodeJoinsTheRunningClusterHoweverLateItAnswers() {
    var f = new Formation(0, 3);
    // The others are busy: many silent rounds, then one answers as a member.
    for (int i = 0; i < 50; i++) assertInstanceOf(Wait.class, f.next(seen(ALONE, SILENT, SILENT), named(N, N, N)));
    assertEquals(new Join(2), f.next(seen(ALONE, SILENT, MEMBER), named(N, N, N)));
  }

  @Test
  void aLoneNodeNeverFormsAClusterOfItsOwn() {
    var f = new Formation(0, 3);
    for (int i = 0; i < 100; i++) assertInstanceOf(Wait.class, f.next(seen(ALONE, SILENT, SILENT), named(N, N, N)));
    assertEquals(-1, f.candidate());
  }

  @Test
  void aMajorityWithNoClusterFormsOneAtTheLowestOrdinalAfterStableRounds() {
    var zero = new Formation(0, 3);
    var two = new Formation(2, 3);
    assertInstanceOf(Wait.class, two.next(seen(ALONE, SILENT, ALONE), named(N, N, N)));
    assertEquals(0, two.candidate(), "node 2 names node 0");
    assertInstanceOf(Wait.class, zero.next(seen(ALONE, SILENT, ALONE), named(N, N, 0)), "one round is not stable yet");
    assertEquals(new Form(), zero.next(seen(ALONE, SILENT, ALONE), named(N, N, 0)));
    for (int i = 0; i < 10; i++) assertInstanceOf(Wait.class, two.next(seen(ALONE, SILENT, ALONE), named(0, N, N)), "node 0 forms, not node 2");
    assertEquals(new Join(0), two.next(seen(MEMBER, SILENT, ALONE), named(N, N, N)));
  }

  @Test
  void withTheFirstNodeDownTheNextLowestForms() {
    var one = new Formation(1, 3);
    one.next(seen(SILENT, ALONE, ALONE), named(N, N, 1));
    assertEquals(new Form(), one.next(seen(SILENT, ALONE, ALONE), named(N, N, 1)));
  }

  @Test
  void aNodeThatMissedALowerNodesAnswersDoesNotFormASecondCluster() {
    var one = new Formation(1, 3);
    // Node 1 does not hear node 0, but node 2 does and names node 0: no majority names node 1.
    for (int i = 0; i < 20; i++) assertInstanceOf(Wait.class, one.next(seen(SILENT, ALONE, ALONE), named(N, N, 0)));
  }

  @Test
  void aRoundThatLosesTheMajorityStartsTheStabilityCountAgain() {
    var f = new Formation(0, 3);
    f.next(seen(ALONE, ALONE, SILENT), named(N, 0, N));
    assertInstanceOf(Wait.class, f.next(seen(ALONE, SILENT, SILENT), named(N, N, N)));
    assertInstanceOf(Wait.class, f.next(seen(ALONE, ALONE, SILENT), named(N, 0, N)));
    assertEquals(new Form(), f.next(seen(ALONE, ALONE, SILENT), named(N, 0, N)));
  }

  @Test
  void aSingleConfiguredNodeFormsAfterStableRounds() {
    var f = new Formation(0, 1);
    assertInstanceOf(Wait.class, f.next(seen(ALONE), named(N)));
    assertEquals(new Form(), f.next(seen(ALONE), named(N)));
  }
}
