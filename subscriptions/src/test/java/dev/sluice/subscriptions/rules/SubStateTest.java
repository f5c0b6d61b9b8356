package dev.sluice.subscriptions.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.protocol.Offset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SubStateTest {
  private static final byte[] KEY = Tokens.newKey();

  private static SubState created() {
    var s = new SubState();
    s.subscriptionIdForTokens = "s1";
    var spec = new SubscriptionSpec("pull-wake", "events/*", List.of("manual/a"), null, "wake", 1000, null);
    return s.apply(new SubEvent.Created(spec, "http://h", 0, KEY, Map.of("manual/a", 0L), Map.of("events/old", 10L)));
  }

  @Test
  void pendingIsTailBeyondAcked() {
    var s = created();
    assertFalse(s.pending(), "backfilled and explicit links start at their tails");
    s.apply(new SubEvent.Linked("events/new", false, -1));
    assertTrue(s.pending(), "a stream the pattern picks up later: everything is pending");
    assertEquals("events/new", s.firstPending());
    s.apply(new SubEvent.Acked(Map.of("events/new", 0L)));
    assertFalse(s.pending());
    s.tails.put("events/old", 20L);
    assertTrue(s.pending());
    s.apply(new SubEvent.Acked(Map.of("events/old", 5L)));
    assertEquals(10, s.links.get("events/old").acked, "acks never move back");
  }

  @Test
  void staleWakesAreFencedAndForeignTokensRefused() {
    var s = created();
    s.tails.put("manual/a", 5L);
    s.apply(new SubEvent.WakeStarted(1, "w1", s.snapshotNow()));
    String t1 = Tokens.issue(KEY, "s1", 1);
    assertNull(s.checkWake(t1, "w1", 1L));
    assertEquals("FENCED", s.checkWake(t1, "w0", 1L).code());
    assertEquals("FENCED", s.checkWake(t1, "w1", 2L).code());
    assertEquals(401, s.checkWake("1.forged", "w1", 1L).status());
    s.apply(new SubEvent.WakeEnded(1));
    assertEquals("FENCED", s.checkWake(t1, "w1", 1L).code(), "a token of an ended wake is stale, not unknown");
    s.apply(new SubEvent.WakeStarted(2, "w2", s.snapshotNow()));
    assertEquals("FENCED", s.checkWake(t1, "w2", 2L).code(), "generation 1's token cannot act on generation 2");
  }

  @Test
  void acksMustNameLinkedStreamsWithinTheirTails() {
    var s = created();
    s.tails.put("manual/a", 5L);
    assertEquals(Map.of("manual/a", 5L), s.checkAcks(Map.of("manual/a", Offset.at(5).format())));
    assertEquals("INVALID_OFFSET", refusal(s, Map.of("nope", Offset.at(1).format())).code());
    assertEquals("INVALID_OFFSET", refusal(s, Map.of("manual/a", Offset.at(6).format())).code());
    assertEquals("INVALID_OFFSET", refusal(s, Map.of("events/old", Offset.at(9).format())).code());
    assertEquals(400, refusal(s, Map.of("manual/a", "garbage")).status());
  }

  private static SubState.Refusal refusal(SubState s, Map<String, String> acks) {
    return assertThrows(SubState.RefusedException.class, () -> s.checkAcks(acks)).refusal();
  }

  @Test
  void aSnapshotRestoresTheJournaledStateAndIsNotChangedByLaterEvents() {
    var s = created();
    s.apply(new SubEvent.Linked("events/new", false, -1));
    s.tails.put("manual/a", 7L);
    s.apply(new SubEvent.WakeStarted(3, "w3", s.snapshotNow()));
    s.apply(new SubEvent.Claimed("worker-1", 12_345));
    s.apply(new SubEvent.Acked(Map.of("manual/a", 4L)));
    var snap = SubStateSnapshot.of(s);
    s.apply(new SubEvent.Acked(Map.of("manual/a", 7L)));
    s.apply(new SubEvent.WakeEnded(3));

    var r = snap.restore("s1");
    assertEquals(s.spec, r.spec);
    assertEquals(3, r.generation);
    assertEquals("w3", r.wakeId);
    assertEquals("worker-1", r.holder);
    assertEquals(12_345, r.leaseUntilMillis);
    assertEquals(Map.of("events/new", 0L, "events/old", 10L, "manual/a", 7L), r.snapshot, "the wake's tails");
    assertEquals(4, r.links.get("manual/a").acked, "as when the snapshot was taken, not after");
    assertEquals(-1, r.links.get("events/new").acked);
    assertTrue(r.links.get("manual/a").explicit);
    assertTrue(r.links.get("events/old").glob);
    assertTrue(r.tails.isEmpty(), "tails are read back from the streams, never snapshotted");
    assertNull(r.checkWake(Tokens.issue(KEY, "s1", 3), "w3", 3L), "the same token key and id");
  }

  @Test
  void unlinkKeepsPatternLinksAndDeleteForgetsEverything() {
    var s = created();
    s.apply(new SubEvent.Linked("events/old", true, 0));
    s.apply(new SubEvent.Unlinked("events/old"));
    assertTrue(s.links.containsKey("events/old"), "still matched by the pattern");
    s.apply(new SubEvent.Unlinked("manual/a"));
    assertFalse(s.links.containsKey("manual/a"));
    s.apply(new SubEvent.Deleted(1));
    assertFalse(s.exists());
    assertTrue(s.links.isEmpty());
  }
}
