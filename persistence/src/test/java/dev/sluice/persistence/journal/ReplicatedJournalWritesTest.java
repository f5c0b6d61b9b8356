package dev.sluice.persistence.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sluice.core.spi.DataUnit;
import dev.sluice.persistence.rocksdb.RocksDbReplicaStore;
import dev.sluice.persistence.rocksdb.RocksDbStorage;
import dev.sluice.persistence.store.StreamWrite;
import dev.sluice.persistence.support.JournalClient;
import dev.sluice.persistence.support.TestEvents.Appended;
import dev.sluice.persistence.support.TestEvents.Noted;
import dev.sluice.persistence.support.TestEvents.Purged;
import dev.sluice.persistence.support.TestStorage;
import dev.sluice.replication.Effect;
import dev.sluice.replication.Entry;
import dev.sluice.replication.Epoch;
import dev.sluice.replication.LogChange;
import dev.sluice.replication.Payload;
import dev.sluice.replication.ReplicaState;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.persistence.AtomicWrite;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The real thing end to end on one node: the journal plugin's own {@link JournalWrites} (Pekko
 * serialization, data indexing, purges) builds the entries' payloads, the replica store materializes
 * the committed ones, and the journal plugin then replays exactly those events, the data store serves
 * their bytes, and the local journal continues the stream where the replicated entries left it.
 */
class ReplicatedJournalWritesTest {
  private static final long EPOCH = Epoch.of(1, 0);
  private Path dir;
  private ActorSystem system;

  @BeforeEach
  void start() {
    dir = TestStorage.newDir("replicated-journal-writes");
    system = ActorSystem.create("replicated-journal-writes", TestStorage.config(dir));
  }

  @AfterEach
  void stop() {
    TestKit.shutdownActorSystem(system);
    TestStorage.deleteRecursively(dir);
  }

  /** One AtomicWrite of {@code events} from {@code firstSeq}, as the journal plugin turns it into a storage write. */
  private StreamWrite journalWrite(String pid, long firstSeq, Object... events) {
    List<PersistentRepr> reprs = new ArrayList<>();
    for (Object e : events) {
      reprs.add(PersistentRepr.apply(e, firstSeq + reprs.size(), pid, "", false, ActorRef.noSender(), "owner-writer"));
    }
    AtomicWrite aw = AtomicWrite.apply(CollectionConverters.asScala(reprs).toList());
    JournalWrites.Prepared p = JournalWrites.prepare(List.of(aw), SerializationExtension.get(system));
    assertEquals(List.of(), p.results(), "nothing rejected");
    return p.writes().get(0);
  }

  private static Entry entry(long seq, StreamWrite write) {
    return new Entry(seq, EPOCH, new Payload(write.encode()), null);
  }

  private List<String> data(long storeId) {
    return RocksDbStorage.get(system).dataStore().read(storeId, 0, Long.MAX_VALUE, Integer.MAX_VALUE).stream()
        .map(DataUnit::data).map(b -> b.utf8String()).toList();
  }

  @Test
  void committedEntriesReplayThroughTheJournalPluginAndTheLocalJournalContinuesThem() throws Exception {
    RocksDbReplicaStore replica = RocksDbStorage.get(system).replicaStore(1, false);
    String s = "stream-1";
    List<Entry> entries = List.of(
        entry(1, journalWrite(s, 1, Appended.utf8(5, 0, "hello "), Appended.utf8(5, 6, "world"))),
        entry(2, journalWrite(s, 3, new Noted("checkpoint"))),
        entry(3, journalWrite(s, 4, new Purged(5), Appended.utf8(6, 0, "again"))),
        entry(4, journalWrite(s, 6, new Noted("not committed yet"))));
    ReplicaState meta = new ReplicaState(s, 1, replica.diskUuid(), EPOCH, 4, EPOCH, 3, false, 0, 0, 0);
    replica.persist(s, meta, LogChange.append(entries), new Effect.Committed(0, 3)).toCompletableFuture().get(10, TimeUnit.SECONDS);

    JournalClient journal = new JournalClient(system);
    JournalClient.Replay replay = journal.replay(s);
    assertEquals(List.of(Appended.utf8(5, 0, "hello "), Appended.utf8(5, 6, "world"),
        new Noted("checkpoint"), new Purged(5), Appended.utf8(6, 0, "again")), replay.payloads());
    assertEquals(5, replay.highestSequenceNr());
    assertEquals(List.of(), data(5), "purged by entry 3");
    assertEquals(List.of("again"), data(6));

    // A new owner that recovered this stream from the replica continues it with the local journal.
    journal.persist(s, 6, new Noted("local"));
    assertEquals(6, journal.replay(s).highestSequenceNr());
  }
}
