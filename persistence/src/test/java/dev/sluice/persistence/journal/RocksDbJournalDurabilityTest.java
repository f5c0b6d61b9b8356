package dev.sluice.persistence.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.Bytes;
import dev.sluice.core.spi.DataUnit;
import dev.sluice.persistence.rocksdb.GroupCommitStats;
import dev.sluice.persistence.rocksdb.RocksDbStorage;
import dev.sluice.persistence.support.JournalClient;
import dev.sluice.persistence.support.TestEvents.Appended;
import dev.sluice.persistence.support.TestEvents.Noted;
import dev.sluice.persistence.support.TestStorage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.LongStream;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.persistence.JournalProtocol;
import org.apache.pekko.persistence.Persistence;
import org.apache.pekko.persistence.SelectedSnapshot;
import org.apache.pekko.persistence.SnapshotMetadata;
import org.apache.pekko.persistence.SnapshotProtocol;
import org.apache.pekko.persistence.SnapshotSelectionCriteria;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Reopen (durability across a full close) and group commit under concurrent writers. */
class RocksDbJournalDurabilityTest {
  private Path dir;

  @BeforeEach
  void newDir() {
    dir = TestStorage.newDir("journal-durability");
  }

  @AfterEach
  void deleteDir() {
    TestStorage.deleteRecursively(dir);
  }

  private ActorSystem start(String name) {
    return ActorSystem.create(name, TestStorage.config(dir));
  }

  @Test
  void everythingAcknowledgedSurvivesClosingAndReopeningTheDatabase() {
    ActorSystem first = start("before-restart");
    long savedAt;
    try {
      JournalClient journal = new JournalClient(first);
      journal.persist("stream-a", 1, new Noted("one"), Appended.utf8(42, 0, "abc"), new Noted("three"));
      journal.persist("stream-b", 1, new Noted("b1"), new Noted("b2"));
      journal.deleteTo("stream-b", Long.MAX_VALUE); // everything gone, highest must stay 2
      savedAt = saveSnapshot(first, SnapshotMetadata.apply("stream-a", 2), new Noted("snap")).timestamp();
    } finally {
      TestKit.shutdownActorSystem(first); // termination closes the DB
    }

    ActorSystem second = start("after-restart");
    try {
      JournalClient journal = new JournalClient(second);
      var a = journal.replay("stream-a");
      assertEquals(List.of(new Noted("one"), Appended.utf8(42, 0, "abc"), new Noted("three")), a.payloads());
      assertEquals(3, a.highestSequenceNr());
      var b = journal.replay("stream-b");
      assertEquals(List.of(), b.payloads());
      assertEquals(2, b.highestSequenceNr());
      assertEquals(Optional.of(new DataUnit(0, Bytes.utf8("abc"))),
          RocksDbStorage.get(second).dataStore().unitAt(42, 0));
      SelectedSnapshot snap = loadSnapshot(second, "stream-a");
      assertEquals(new Noted("snap"), snap.snapshot());
      assertEquals(2, snap.metadata().sequenceNr());
      assertEquals(savedAt, snap.metadata().timestamp());
      // A recovered writer continues after the old tail.
      journal.persist("stream-a", 4, new Noted("four"));
      assertEquals(List.of(1L, 2L, 3L, 4L), journal.replay("stream-a").seqNrs());
    } finally {
      TestKit.shutdownActorSystem(second);
    }
  }

  @Test
  void concurrentWritesFromManyStreamsAllCompleteInOrderAndAreReplayable() {
    int streams = 200;
    int writesPerStream = 3; // sent back to back, without waiting: per-stream order must hold
    ActorSystem system = start("group-commit");
    try {
      JournalClient journal = new JournalClient(system);
      GroupCommitStats before = RocksDbStorage.get(system).groupCommitStats();
      TestKit probe = new TestKit(system);
      for (int w = 0; w < writesPerStream; w++) {
        for (int s = 0; s < streams; s++) {
          long seq = 2L * w + 1;
          List<Object> atomic = List.of(new Noted("s" + s + "-" + seq), new Noted("s" + s + "-" + (seq + 1)));
          journal.sendWrite("gc-" + s, seq, List.of(atomic), probe.getRef());
        }
      }
      int expectedReplies = streams * writesPerStream * (1 + 2); // WriteMessagesSuccessful + 2 events
      List<Object> replies = probe.receiveN(expectedReplies, Duration.ofSeconds(30));
      long successes = replies.stream().filter(r -> r instanceof JournalProtocol.WriteMessageSuccess).count();
      assertEquals(streams * writesPerStream * 2L, successes);

      for (int s = 0; s < streams; s++) {
        var replay = journal.replay("gc-" + s);
        List<Object> expected = new ArrayList<>();
        for (long seq = 1; seq <= 2L * writesPerStream; seq++) {
          expected.add(new Noted("s" + s + "-" + seq));
        }
        assertEquals(expected, replay.payloads(), "stream gc-" + s);
        assertEquals(LongStream.rangeClosed(1, 2L * writesPerStream).boxed().toList(), replay.seqNrs());
        assertEquals(2L * writesPerStream, replay.highestSequenceNr());
      }
      GroupCommitStats after = RocksDbStorage.get(system).groupCommitStats();
      long requests = after.requests() - before.requests();
      long batches = after.batches() - before.batches();
      assertTrue(requests >= (long) streams * writesPerStream, "every write went through the writer");
      assertTrue(batches <= requests);
      assertEquals(0, after.failedBatches());
      System.out.printf("group commit: %d requests in %d batches%n", requests, batches);
    } finally {
      TestKit.shutdownActorSystem(system);
    }
  }

  /** Saves and returns the stored metadata (the store stamps the timestamp). */
  private static SnapshotMetadata saveSnapshot(ActorSystem system, SnapshotMetadata md, Object snapshot) {
    TestKit probe = new TestKit(system);
    snapshotStore(system).tell(new SnapshotProtocol.SaveSnapshot(md, snapshot), probe.getRef());
    return probe.expectMsgClass(org.apache.pekko.persistence.SaveSnapshotSuccess.class).metadata();
  }

  private static SelectedSnapshot loadSnapshot(ActorSystem system, String pid) {
    TestKit probe = new TestKit(system);
    snapshotStore(system).tell(
        new SnapshotProtocol.LoadSnapshot(pid, SnapshotSelectionCriteria.latest(), Long.MAX_VALUE), probe.getRef());
    var result = probe.expectMsgClass(SnapshotProtocol.LoadSnapshotResult.class);
    return result.snapshot().get();
  }

  private static org.apache.pekko.actor.ActorRef snapshotStore(ActorSystem system) {
    return Persistence.get(system).snapshotStoreFor(
        "sluice.persistence.snapshot-store", com.typesafe.config.ConfigFactory.empty());
  }
}
