package dev.sluice.bench.failover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class FailoverPartsTest {

  private static String view(String self, String... members) {
    StringBuilder sb = new StringBuilder("{\"self\":\"pekko://sluice@127.0.0.1:25521\",\"selfStatus\":\"" + self + "\",\"members\":[");
    for (int i = 0; i < members.length; i++) {
      String[] m = members[i].split(" ");
      if (i > 0) sb.append(',');
      sb.append("{\"address\":\"pekko://sluice@127.0.0.1:").append(m[0]).append("\",\"status\":\"").append(m[1])
          .append("\",\"reachable\":").append(m[2]).append('}');
    }
    return sb.append("]}").toString();
  }

  @Test
  void healthyMeansSelfUpAndThreeMembersUpAndReachable() {
    assertNull(ClusterHealth.problem(view("Up", "25521 Up true", "25522 Up true", "25523 Up true"), 3));
    assertEquals("pekko://sluice@127.0.0.1:25522 Up unreachable",
        ClusterHealth.problem(view("Up", "25521 Up true", "25522 Up false", "25523 Up true"), 3));
    assertEquals("pekko://sluice@127.0.0.1:25523 Joining",
        ClusterHealth.problem(view("Up", "25521 Up true", "25522 Up true", "25523 Joining true"), 3));
    assertEquals("2 members, expected 3", ClusterHealth.problem(view("Up", "25521 Up true", "25522 Up true"), 3));
    assertEquals("self is Joining", ClusterHealth.problem(view("Joining", "25521 Joining true"), 3));
    assertEquals("no answer", ClusterHealth.problem(null, 3));
    assertTrue(ClusterHealth.problem("<html>", 3).startsWith("not a cluster view"));
  }

  @Test
  void aNodeAloneInItsOwnClusterIsRecognised() {
    assertTrue(ClusterHealth.alone(view("Up", "25521 Up true")));
    assertFalse(ClusterHealth.alone(view("Up", "25521 Up true", "25522 Up true")));
    assertFalse(ClusterHealth.alone(view("Joining", "25521 Joining true")));
    assertFalse(ClusterHealth.alone(null));
  }

  private static byte[] content(int stream, long... seqs) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (long s : seqs) b.writeBytes(Records.record(stream, s));
    return b.toByteArray();
  }

  @Test
  void recordsAreFixedLength() {
    assertEquals("007:000000042\n", new String(Records.record(7, 42), StandardCharsets.US_ASCII));
    assertEquals(Records.LENGTH, Records.record(999, 999_999_999L).length);
  }

  @Test
  void aCompleteStreamPasses() {
    Records.Check c = Records.check(3, 4, content(3, 0, 1, 2, 3));
    assertEquals(new Records.Check(4, 0, 0, 0, 0, 0), c);
    assertTrue(c.ok());
  }

  @Test
  void retriedAppendsMayBeStoredTwiceAndTheLastUnacknowledgedOneMayBeThere() {
    Records.Check c = Records.check(3, 3, content(3, 0, 1, 1, 2, 3));
    assertEquals(new Records.Check(3, 0, 1, 1, 0, 0), c);
    assertTrue(c.ok());
  }

  @Test
  void aTimedOutAttemptStoredAfterItsRetryAndLaterSeqsIsADuplicateNotAReordering() {
    Records.Check c = Records.check(3, 4, content(3, 0, 1, 2, 1, 3));
    assertEquals(new Records.Check(4, 0, 1, 0, 0, 0), c);
    assertTrue(c.ok());
  }

  @Test
  void aMissingAcknowledgedAppendFails() {
    Records.Check c = Records.check(3, 4, content(3, 0, 2, 3));
    assertEquals(1, c.missing());
    assertFalse(c.ok());
  }

  @Test
  void reorderedForeignOrTornRecordsFail() {
    assertEquals(1, Records.check(3, 3, content(3, 0, 2, 1)).outOfOrder());
    assertEquals(Records.LENGTH, Records.check(3, 1, content(4, 0)).malformed());
    byte[] torn = content(3, 0, 1);
    byte[] cut = java.util.Arrays.copyOf(torn, torn.length - 3);
    Records.Check c = Records.check(3, 2, cut);
    assertEquals(1, c.missing());
    assertEquals(Records.LENGTH - 3, c.malformed());
    assertFalse(c.ok());
  }

  @Test
  void checksAddUp() {
    Records.Check a = new Records.Check(1, 2, 3, 4, 5, 6);
    assertEquals(new Records.Check(2, 4, 6, 8, 10, 12), a.plus(a));
  }

  @Test
  void nearestRankPercentiles() {
    double[] twenty = new double[20];
    for (int i = 0; i < 20; i++) twenty[i] = 20 - i; // 20..1, unsorted
    assertEquals(10, Percentiles.nearestRank(twenty, 0.50));
    assertEquals(20, Percentiles.nearestRank(twenty, 0.99));
    assertEquals(20, Percentiles.nearestRank(twenty, 1.0));
    assertEquals(3.5, Percentiles.nearestRank(new double[] {3.5}, 0.5));
    assertTrue(Double.isNaN(Percentiles.nearestRank(new double[0], 0.5)));
  }
}
