package dev.sluice.persistence.rocksdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.Bytes;
import dev.sluice.core.spi.DataUnit;
import dev.sluice.core.spi.StreamDataStore;
import dev.sluice.persistence.support.JournalClient;
import dev.sluice.persistence.support.TestEvents.Appended;
import dev.sluice.persistence.support.TestEvents.Noted;
import dev.sluice.persistence.support.TestEvents.Purged;
import dev.sluice.persistence.support.TestEvents.Unserializable;
import dev.sluice.persistence.support.TestStorage;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The read side of the {@code data} column family, with data written the only way it is in
 * production: as {@code IndexedData} events through the journal. Each test uses its own storeIds,
 * so tests share one ActorSystem and do not depend on each other's order.
 */
class RocksDbStreamDataStoreTest {
  private static final long MAX = Long.MAX_VALUE;
  private static Path dir;
  private static ActorSystem system;
  private static JournalClient journal;
  private static StreamDataStore store;

  @BeforeAll
  static void start() {
    dir = TestStorage.newDir("data-store");
    system = ActorSystem.create("data-store", TestStorage.config(dir));
    journal = new JournalClient(system);
    store = RocksDbStorage.get(system).dataStore();
  }

  @AfterAll
  static void stop() {
    TestKit.shutdownActorSystem(system);
    TestStorage.deleteRecursively(dir);
  }

  /** Units "aaa"@0, "bb"@3, "cccc"@5 in {@code storeId}, plus a neighbour store that must never leak in. */
  private static void writeThreeUnits(String pid, long storeId) {
    journal.persist(pid, 1,
        Appended.utf8(storeId, 0, "aaa"),
        Appended.utf8(storeId + 1, 0, "neighbour"),
        Appended.utf8(storeId, 3, "bb"),
        Appended.utf8(storeId, 5, "cccc"));
  }

  private static List<String> texts(List<DataUnit> units) {
    return units.stream().map(u -> u.position() + ":" + u.data().utf8String()).toList();
  }

  @Test
  void readSeeksToTheFirstUnitAtOrAfterFromPos() {
    writeThreeUnits("seek", 100);
    assertEquals(List.of("0:aaa", "3:bb", "5:cccc"), texts(store.read(100, 0, MAX, 1 << 20)));
    assertEquals(List.of("3:bb", "5:cccc"), texts(store.read(100, 3, MAX, 1 << 20)));
    assertEquals(List.of("5:cccc"), texts(store.read(100, 4, MAX, 1 << 20)));
    assertEquals(List.of(), texts(store.read(100, 6, MAX, 1 << 20)));
  }

  @Test
  void readStopsBeforeToPosAndNeverCrossesIntoAnotherStore() {
    writeThreeUnits("bounds", 200);
    assertEquals(List.of("0:aaa", "3:bb"), texts(store.read(200, 0, 5, 1 << 20)));
    assertEquals(List.of("0:aaa"), texts(store.read(200, 0, 3, 1 << 20)));
    assertEquals(List.of(), texts(store.read(200, 3, 3, 1 << 20)));
    assertEquals(List.of("0:neighbour"), texts(store.read(201, 0, MAX, 1 << 20)));
    assertEquals(List.of(), texts(store.read(199, 0, MAX, 1 << 20)));
  }

  @Test
  void maxBytesLimitsTheReadButAlwaysReturnsOneUnit() {
    writeThreeUnits("max-bytes", 300);
    assertEquals(List.of("0:aaa"), texts(store.read(300, 0, MAX, 1)));
    assertEquals(List.of("0:aaa"), texts(store.read(300, 0, MAX, 4)));
    assertEquals(List.of("0:aaa", "3:bb"), texts(store.read(300, 0, MAX, 5)));
    assertEquals(List.of("0:aaa", "3:bb"), texts(store.read(300, 0, MAX, 8)));
    assertEquals(List.of("0:aaa", "3:bb", "5:cccc"), texts(store.read(300, 0, MAX, 9)));
  }

  @Test
  void storedEndIsTheEndOfTheStoresLastUnitAndNeverLooksAtANeighbour() {
    writeThreeUnits("stored-end", 500);
    assertEquals(9, store.storedEnd(500), "cccc@5 ends at 9");
    assertEquals(0, store.storedEnd(499), "nothing stored");
    assertEquals(9, store.storedEnd(501), "the neighbour store's own unit");
  }

  @Test
  void unitAtFindsOnlyExactStartPositions() {
    writeThreeUnits("unit-at", 400);
    assertEquals(Optional.of(new DataUnit(3, Bytes.utf8("bb"))), store.unitAt(400, 3));
    assertEquals(Optional.empty(), store.unitAt(400, 4));
    assertEquals(Optional.empty(), store.unitAt(402, 0));
  }

  @Test
  void aPurgesDataEventDeletesEveryUnitOfItsStoreOnly() {
    writeThreeUnits("purge", 500);
    journal.persist("purge", 5, new Purged(500));
    assertEquals(List.of(), store.read(500, 0, MAX, 1 << 20));
    assertEquals(Optional.empty(), store.unitAt(500, 0));
    assertEquals(List.of("0:neighbour"), texts(store.read(501, 0, MAX, 1 << 20)));
    // The purge is an ordinary event too.
    assertEquals(new Purged(500), journal.replay("purge").payloads().get(4));
  }

  @Test
  void dataIsVisibleOnceItsEventIsAcknowledgedAndReplayable() {
    journal.persist("with-event", 1, Appended.utf8(600, 0, "hello"));
    assertEquals(Optional.of(new DataUnit(0, Bytes.utf8("hello"))), store.unitAt(600, 0));
    assertEquals(List.of(Appended.utf8(600, 0, "hello")), journal.replay("with-event").payloads());
  }

  @Test
  void aRejectedAtomicWriteStoresNeitherItsEventsNorTheirData() {
    journal.persist("atomic", 1, new Noted("before"));
    var outcomes = journal.write("atomic", 2, List.of(
        List.of(Appended.utf8(700, 0, "never"), new Unserializable("boom"))));
    assertInstanceOf(JournalClient.Rejected.class, outcomes.get(0));
    assertEquals(Optional.empty(), store.unitAt(700, 0));
    var replay = journal.replay("atomic");
    assertEquals(List.of(new Noted("before")), replay.payloads());
    assertEquals(1, replay.highestSequenceNr());
  }

  @Test
  void readAfterCloseFailsInsteadOfTouchingAFreedHandle() {
    Path otherDir = TestStorage.newDir("data-store-closed");
    try {
      RocksDbStorage storage = RocksDbStorage.open(
          RocksDbSettings.fromConfig(TestStorage.config(otherDir).withFallback(
              com.typesafe.config.ConfigFactory.defaultReference())));
      storage.close();
      var e = org.junit.jupiter.api.Assertions.assertThrows(
          RocksDbStorageException.class, () -> storage.dataStore().read(1, 0, MAX, 10));
      assertTrue(e.getMessage().contains("closed"));
    } finally {
      TestStorage.deleteRecursively(otherDir);
    }
  }
}
