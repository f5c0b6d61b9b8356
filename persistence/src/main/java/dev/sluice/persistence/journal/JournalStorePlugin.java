package dev.sluice.persistence.journal;

import dev.sluice.persistence.store.JournalStore;
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
 * The one Pekko journal plugin body over a {@link JournalStore}: Pekko serialization
 * ({@link JournalWrites}) on the way in, deserialization on replay, every other call delegated.
 * The local ({@link RocksDbJournal}) and the replicated ({@link ReplicatedJournal}) plugins differ
 * only in the store they hand in, so what a write stores is identical for both.
 *
 * <p>An actor: confined to its own dispatcher.
 */
abstract class JournalStorePlugin extends AsyncWriteJournal {
  private final Serialization serialization = SerializationExtension.get(context().system());
  private final JournalMetrics metrics = JournalMetrics.get(context().system());

  /** The store this plugin delegates to; set by the subclass's constructor. */
  protected abstract JournalStore store();

  @Override
  public Future<Iterable<Optional<Exception>>> doAsyncWriteMessages(Iterable<AtomicWrite> messages) {
    JournalWrites.Prepared prepared = JournalWrites.prepare(messages, serialization);
    if (prepared.writes().isEmpty()) {
      return Future.successful(asIterable(prepared.results()));
    }
    return FutureConverters.asScala(store().write(prepared.writes()).whenComplete((v, e) -> {
      if (e == null) metrics.acknowledged(prepared.events(), prepared.units(), prepared.bytes());
      else metrics.failed();
    }).thenApply(v -> asIterable(prepared.results())));
  }

  @Override
  public Future<Void> doAsyncDeleteMessagesTo(String persistenceId, long toSequenceNr) {
    return FutureConverters.asScala(store().deleteTo(StreamKey.of(persistenceId), toSequenceNr));
  }

  @Override
  public Future<Void> doAsyncReplayMessages(
      String persistenceId, long fromSequenceNr, long toSequenceNr, long max, Consumer<PersistentRepr> replayCallback) {
    return FutureConverters.asScala(store().replay(StreamKey.of(persistenceId), fromSequenceNr, toSequenceNr, max,
        event -> replayCallback.accept((PersistentRepr) event.record().repr().deserialize(serialization))));
  }

  @Override
  public Future<Long> doAsyncReadHighestSequenceNr(String persistenceId, long fromSequenceNr) {
    return FutureConverters.asScala(store().highestSequenceNr(StreamKey.of(persistenceId)));
  }

  private static Iterable<Optional<Exception>> asIterable(List<Optional<Exception>> results) {
    return results;
  }
}
