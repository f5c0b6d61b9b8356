package dev.sluice.replication.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The receiving side's acknowledgement rules, without an actor around them. */
class AckLedgerTest {
  static ActorTestKit kit;

  @BeforeAll
  static void start() {
    kit = ActorTestKit.create("ack-ledger-test");
  }

  @AfterAll
  static void stop() {
    kit.shutdownTestKit();
  }

  @Test
  void smallBatchesWaitForTheTickAndAreAcknowledgedOnceCumulatively() {
    TestProbe<Batcher.Command> a = kit.createTestProbe();
    AckLedger ledger = new AckLedger(1 << 20);
    assertNull(ledger.took(1, a.getRef(), 7, 300));
    assertNull(ledger.took(1, a.getRef(), 8, 300));
    List<AckLedger.Ack> due = ledger.due();
    assertEquals(1, due.size());
    assertEquals(8, due.get(0).delivered().id(), "the last batch taken covers the earlier ones");
    assertTrue(ledger.due().isEmpty(), "nothing owed twice");
  }

  @Test
  void halfAWindowIsAcknowledgedAtOnce() {
    TestProbe<Batcher.Command> a = kit.createTestProbe();
    AckLedger ledger = new AckLedger(1000);
    assertNull(ledger.took(1, a.getRef(), 1, 400));
    AckLedger.Ack now = ledger.took(1, a.getRef(), 2, 100);
    assertNotNull(now, "500 of a 1,000-byte window since the last acknowledgement");
    assertEquals(2, now.delivered().id());
    assertTrue(ledger.due().isEmpty());
  }

  @Test
  void eachPeerIsAcknowledgedOnItsOwnAndARestartedSendersIdsAreTakenAsTheyCome() {
    TestProbe<Batcher.Command> a = kit.createTestProbe();
    TestProbe<Batcher.Command> b = kit.createTestProbe();
    AckLedger ledger = new AckLedger(1 << 20);
    ledger.took(1, a.getRef(), 50, 10);
    ledger.took(2, b.getRef(), 3, 10);
    assertEquals(2, ledger.due().size());
    // Node 1's batcher restarted: it numbers from 1 again, and that is what it must hear.
    ledger.took(1, a.getRef(), 1, 10);
    List<AckLedger.Ack> due = ledger.due();
    assertEquals(1, due.size());
    assertEquals(a.getRef(), due.get(0).to());
    assertEquals(1, due.get(0).delivered().id());
  }
}
