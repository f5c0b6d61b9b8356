package dev.sluice.persistence.journal;

import com.typesafe.config.Config;
import dev.sluice.persistence.replicated.ReplicatedJournalSettings;
import dev.sluice.persistence.replicated.ReplicatedJournalStore;
import dev.sluice.persistence.replicated.Replication;
import dev.sluice.persistence.store.StreamKey;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.pekko.persistence.AtomicWrite;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.persistence.journal.japi.AsyncWriteJournal;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import scala.concurrent.Future;
import scala.jdk.javaapi.FutureConverters;

/**
 * Pekko Persistence journal plugin over the quorum-replicated journal ({@link ReplicatedJournalStore}).
 * Plugin id {@code sluice.persistence.replicated-journal}; enable it on every storage node with
 * {@code sluice.replication.enabled = on} and
 * {@code pekko.persistence.journal.plugin = "sluice.persistence.replicated-journal"}. Snapshots stay
 * node-local ({@code sluice.persistence.snapshot-store}; why that is safe:
 * {@code persistence/design-notes.md} §10).
 *
 * <p>The same serialization as {@link RocksDbJournal} ({@link JournalWrites}), so a replicated entry's
 * payload is exactly what the local journal would write, and the same read path over the local
 * columns. Differences: {@code asyncReadHighestSequenceNr} opens the stream as its owner (fence,
 * recover, local catch-up), and a write is acknowledged once a quorum holds it and this node
 * materialized it. Every failure fails the write (the entity stops and recovers), a definite one
 * included.
 *
 * <p>An actor: confined to its own dispatcher.
 */
public final class ReplicatedJournal extends AsyncWriteJournal {
  private final ReplicatedJournalStore store;
  private final Serialization serialization;

  public ReplicatedJournal(Config pluginConfig, String configPath) {
    ReplicatedJournalSettings settings = ReplicatedJournalSettings.fromConfig(pluginConfig, configPath);
    this.serialization = SerializationExtension.get(context().system());
    this.store = Replication.get(context().system())
        .journalStore(settings, context().system().dispatchers().lookup(settings.ioDispatcher()));
  }

  @Override
  public void postStop() throws Exception {
    store.close();
    super.postStop();
  }

  @Override
  public Future<Iterable<Optional<Exception>>> doAsyncWriteMessages(Iterable<AtomicWrite> messages) {
    JournalWrites.Prepared prepared = JournalWrites.prepare(messages, serialization);
    if (prepared.writes().isEmpty()) {
      return Future.successful(asIterable(prepared.results()));
    }
    return FutureConverters.asScala(store.write(prepared.writes()).thenApply(v -> asIterable(prepared.results())));
  }

  @Override
  public Future<Void> doAsyncDeleteMessagesTo(String persistenceId, long toSequenceNr) {
    return FutureConverters.asScala(store.deleteTo(StreamKey.of(persistenceId), toSequenceNr));
  }

  @Override
  public Future<Void> doAsyncReplayMessages(
      String persistenceId, long fromSequenceNr, long toSequenceNr, long max, Consumer<PersistentRepr> replayCallback) {
    return FutureConverters.asScala(store.replay(StreamKey.of(persistenceId), fromSequenceNr, toSequenceNr, max,
        event -> replayCallback.accept((PersistentRepr) event.record().repr().deserialize(serialization))));
  }

  @Override
  public Future<Long> doAsyncReadHighestSequenceNr(String persistenceId, long fromSequenceNr) {
    return FutureConverters.asScala(store.highestSequenceNr(StreamKey.of(persistenceId)));
  }

  private static Iterable<Optional<Exception>> asIterable(List<Optional<Exception>> results) {
    return results;
  }
}
