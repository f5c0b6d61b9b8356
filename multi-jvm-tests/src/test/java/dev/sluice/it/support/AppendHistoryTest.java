package dev.sluice.it.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.it.support.AppendHistory.Attempt;
import dev.sluice.it.support.AppendHistory.Outcome;
import java.io.ByteArrayOutputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The history checker on made-up histories: it passes a correct one and names each kind of violation. */
class AppendHistoryTest {
  static final String S = "s";

  private final AppendHistory h = new AppendHistory();
  private long clock = 1_000;

  /** An attempt from {@code clock} to {@code clock + 10}; the clock then moves on by 20. */
  private Attempt attempt(String token, int length, Outcome o, int status, long nextPos, String producer, long seq) {
    Attempt a = new Attempt(S, token, length, 0, producer, seq, clock, clock + 10, o, status, nextPos, null);
    clock += 20;
    h.record(a);
    return a;
  }

  private Attempt acked(String token, int length, long nextPos) {
    return attempt(token, length, Outcome.ACKED, 204, nextPos, null, -1);
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) out.writeBytes(p);
    return out.toByteArray();
  }

  private static Map<String, Map<Integer, byte[]>> reads(byte[]... perNode) {
    Map<Integer, byte[]> m = new LinkedHashMap<>();
    for (int i = 0; i < perNode.length; i++) m.put(i, perNode[i]);
    return Map.of(S, m);
  }

  private String violations(Map<String, Map<Integer, byte[]>> reads) {
    return assertThrows(AssertionError.class, () -> h.check(reads)).getMessage();
  }

  @Test
  void aCorrectHistoryPasses() {
    String a = h.newToken();
    String b = h.newToken();
    String c = h.newToken();
    String d = h.newToken();
    acked(a, 30, 30);
    attempt(b, 25, Outcome.UNKNOWN, 503, -1, null, -1); // present: allowed
    acked(c, 20, 75);
    attempt(d, 40, Outcome.NOT_SENT, 0, -1, null, -1); // absent
    byte[] data = concat(AppendHistory.body(a, 30), AppendHistory.body(b, 25), AppendHistory.body(c, 20));
    AppendHistory.Report r = h.check(reads(data, data, data));
    assertEquals(3, r.appendsPresent());
    assertEquals(2, r.acked());
    assertEquals(1, r.unknownPresent());
    assertEquals(1, r.refused());
  }

  @Test
  void aLostAcknowledgedAppendIsFound() {
    String a = h.newToken();
    String b = h.newToken();
    acked(a, 30, 30);
    acked(b, 30, 60);
    String v = violations(reads(AppendHistory.body(a, 30)));
    assertTrue(v.contains("acknowledged append is lost"), v);
  }

  @Test
  void anAppendAtAnotherOffsetThanItsAckIsFound() {
    String a = h.newToken();
    String b = h.newToken();
    attempt(a, 30, Outcome.UNKNOWN, 0, -1, null, -1);
    acked(b, 30, 30); // but it is stored after a
    String v = violations(reads(concat(AppendHistory.body(a, 30), AppendHistory.body(b, 30))));
    assertTrue(v.contains("not where its acknowledgement put it"), v);
  }

  @Test
  void aDuplicateIsFound() {
    String a = h.newToken();
    attempt(a, 30, Outcome.UNKNOWN, 0, -1, "p", 0);
    attempt(a, 30, Outcome.ACKED, 200, 60, "p", 0);
    String v = violations(reads(concat(AppendHistory.body(a, 30), AppendHistory.body(a, 30))));
    assertTrue(v.contains("stored twice"), v);
  }

  @Test
  void bytesNobodySentAreFound() {
    String a = h.newToken();
    acked(a, 30, 30);
    String stranger = h.newToken(); // never attempted
    String v = violations(reads(concat(AppendHistory.body(a, 30), AppendHistory.body(stranger, 30))));
    assertTrue(v.contains("never attempted"), v);
    String torn = violations(reads(concat(AppendHistory.body(a, 30), "junk".getBytes())));
    assertTrue(torn.contains("not a whole append"), torn);
  }

  @Test
  void aRefusedAppendThatIsPresentIsFound() {
    String a = h.newToken();
    attempt(a, 30, Outcome.NOT_SENT, 0, -1, null, -1);
    String v = violations(reads(AppendHistory.body(a, 30)));
    assertTrue(v.contains("every attempt was refused or never sent"), v);
  }

  @Test
  void offsetsGoingBackwardsAreFound() {
    String a = h.newToken();
    String b = h.newToken();
    acked(a, 30, 60); // acknowledged first, at the end
    acked(b, 30, 30); // sent after a's acknowledgement, yet before it
    String v = violations(reads(concat(AppendHistory.body(b, 30), AppendHistory.body(a, 30))));
    assertTrue(v.contains("went backwards"), v);
    assertTrue(v.contains("lies before an append acknowledged"), v);
  }

  @Test
  void nodesThatDisagreeAreFound() {
    String a = h.newToken();
    String b = h.newToken();
    acked(a, 30, 30);
    attempt(b, 30, Outcome.UNKNOWN, 0, -1, null, -1);
    String v = violations(reads(concat(AppendHistory.body(a, 30), AppendHistory.body(b, 30)), AppendHistory.body(a, 30)));
    assertTrue(v.contains("node 1 returned 30 bytes, node 0 60 bytes"), v);
  }

  @Test
  void aProducerOutOfOrderAndAnUnexpectedStatusAreFound() {
    String a = h.newToken();
    String b = h.newToken();
    attempt(a, 30, Outcome.UNKNOWN, 0, -1, "p", 0);
    attempt(b, 30, Outcome.UNKNOWN, 500, -1, "p", 1);
    String v = violations(reads(concat(AppendHistory.body(b, 30), AppendHistory.body(a, 30))));
    assertTrue(v.contains("seq 0 is stored after seq 1"), v);
    assertTrue(v.contains("unexpected status"), v);
  }

  @Test
  void aTailThatSkippedOrInventedBytesIsFound() {
    byte[] fin = "abcdefgh".getBytes();
    AppendHistory.checkPrefix("ok", "abcd".getBytes(), fin);
    assertThrows(AssertionError.class, () -> AppendHistory.checkPrefix("gap", "abdefg".getBytes(), fin));
    assertThrows(AssertionError.class, () -> AppendHistory.checkPrefix("longer", "abcdefghi".getBytes(), fin));
  }
}
