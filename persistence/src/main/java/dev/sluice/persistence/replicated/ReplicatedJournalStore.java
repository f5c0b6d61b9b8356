package dev.sluice.persistence.replicated;

import dev.sluice.persistence.rocksdb.RocksDbReplicaStore;
import dev.sluice.persistence.store.JournalStore;
import dev.sluice.persistence.store.StorageException;
import dev.sluice.persistence.store.StreamKey;
import dev.sluice.persistence.store.StreamWrite;
import dev.sluice.persistence.store.WriteOp;
import dev.sluice.replication.node.ReplicationNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * The {@link JournalStore} of a replicated journal: every write of a stream is an entry of that
 * stream's quorum-replicated log (module {@code replication-node}, driven by one {@link StreamSession}
 * per stream on its owner), and reads are served from this node's materialized columns, exactly what
 * the local journal would have written (docs/replication-wiring.md, {@code persistence/design-notes.md}
 * §10).
 *
 * <ul>
 *   <li>{@link #highestSequenceNr} is where an owner opens a stream (Pekko asks it at the start of every
 *       recovery): the current session's writes settle, its writer stops, and a new writer fences every
 *       earlier one, recovers and re-stamps the log; once this node's replica has materialized
 *       everything committed, the answer is the local {@code highestEver}.
 *   <li>{@link #write} appends each stream's part of the call as ONE entry (so it is atomic per stream;
 *       a call spanning streams is not atomic across them, and Pekko never makes one: a journal call
 *       carries one persistent actor's writes) and completes once a quorum holds every entry AND this
 *       node has materialized them. A write for a stream with no session opens one first (an entity
 *       whose writer idled out, the TCK, tools); that is safe because a session refuses any write that
 *       does not continue the stream's materialized {@code highestEver} (see {@link StreamSession}).
 *   <li>{@link #deleteTo} is an entry too, so a deposed owner cannot delete either.
 *   <li>{@link #replay} reads the local columns: the caller opened the stream (recovery) or wrote it
 *       here, and both wait for local materialization.
 * </ul>
 *
 * <p>Only placement group 0: the replica store names streams by persistenceId alone.
 *
 * <p>Writers idle for {@code idle-timeout} (nothing in flight) stop, so memory stays bounded by the
 * streams written recently; the next write re-opens transparently (one fence round). A failed session
 * stays for that long too, so the failed entity's stray writes fail rather than re-open.
 *
 * <p>Thread-safe.
 */
public final class ReplicatedJournalStore implements JournalStore, AutoCloseable {
  private final ReplicationNode node;
  private final RocksDbReplicaStore replica;
  private final JournalStore local;
  private final ReplicatedJournalSettings settings;
  private final Executor io;
  private final Executor callbacks;
  private final ConcurrentHashMap<String, StreamSession> sessions = new ConcurrentHashMap<>();
  private final Cancellable sweep;
  private volatile boolean closed;

  ReplicatedJournalStore(ActorSystem<?> system, ReplicationNode node, RocksDbReplicaStore replica, JournalStore local,
                         ReplicatedJournalSettings settings, Executor io) {
    this.node = node;
    this.replica = replica;
    this.local = local;
    this.settings = settings;
    this.io = io;
    this.callbacks = system.executionContext();
    this.sweep = system.scheduler().scheduleWithFixedDelay(settings.sweepInterval(), settings.sweepInterval(),
        this::retireIdle, system.executionContext());
  }

  @Override
  public CompletionStage<Void> write(List<StreamWrite> writes) {
    Map<StreamKey, List<WriteOp>> byStream = new LinkedHashMap<>();
    for (StreamWrite w : writes) {
      byStream.computeIfAbsent(w.stream(), k -> new ArrayList<>()).addAll(w.ops());
    }
    List<CompletableFuture<Void>> results = new ArrayList<>(byStream.size());
    for (Map.Entry<StreamKey, List<WriteOp>> e : byStream.entrySet()) {
      if (!supported(e.getKey())) {
        return unsupported(e.getKey());
      }
      results.add(submit(new StreamWrite(e.getKey(), e.getValue())));
    }
    if (results.size() == 1) {
      return results.get(0);
    }
    // allOf would wrap the first failure in a CompletionException; the journal reports the cause.
    CompletableFuture<Void> all = new CompletableFuture<>();
    CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).whenComplete((v, e) -> {
      if (e == null) {
        all.complete(null);
      } else {
        all.completeExceptionally(e instanceof CompletionException c && c.getCause() != null ? c.getCause() : e);
      }
    });
    return all;
  }

  private CompletableFuture<Void> submit(StreamWrite write) {
    String stream = write.stream().persistenceId();
    while (true) {
      if (closed) {
        return CompletableFuture.failedFuture(new NotStoredException("the replicated journal store is closed"));
      }
      StreamSession[] created = {null};
      StreamSession s = sessions.computeIfAbsent(stream, k -> created[0] = newSession(write.stream(), IMPLICIT_OPEN));
      if (s == created[0]) {
        s.start();
      }
      CompletableFuture<Void> result = s.submit(write);
      if (result != null) {
        return result;
      }
      sessions.remove(stream, s); // retired (idle, or replaced by an open): go to the stream's current one
    }
  }

  @Override
  public CompletionStage<Long> highestSequenceNr(StreamKey stream) {
    if (!supported(stream)) {
      return unsupported(stream);
    }
    if (closed) {
      return CompletableFuture.failedFuture(new StorageException("the replicated journal store is closed"));
    }
    StreamSession fresh = newSession(stream, RECOVERY_OPEN);
    StreamSession previous = sessions.put(stream.persistenceId(), fresh);
    CompletionStage<Void> settled = previous == null ? CompletableFuture.completedFuture(null) : previous.retire();
    // Writes made meanwhile queue in the fresh session until it serves.
    settled.whenComplete((v, e) -> fresh.start());
    return fresh.ready();
  }

  @Override
  public CompletionStage<Void> replay(StreamKey stream, long from, long to, long max, Consumer<StoredEvent> onEvent) {
    return local.replay(stream, from, to, max, onEvent);
  }

  @Override
  public CompletionStage<Void> deleteTo(StreamKey stream, long toSeq) {
    return write(List.of(new StreamWrite(stream, new WriteOp.MetaDeletedTo(toSeq))));
  }

  /** Takes no new writes; every writer stops once its writes in flight settled. */
  @Override
  public void close() {
    closed = true;
    sweep.cancel();
    for (StreamSession s : sessions.values()) {
      s.retire();
    }
    sessions.clear();
  }

  /** Streams with a session (open, opening or failed); tests check idle ones go away. */
  public int sessionCount() {
    return sessions.size();
  }

  private StreamSession newSession(StreamKey stream, String reason) {
    return new StreamSession(stream, node, replica, local, settings, io, callbacks, reason);
  }

  /** Why a session opens its stream, as logged with the writer's fence. */
  static final String RECOVERY_OPEN = "its entity started here and recovers: first use, after passivation, a failover"
      + " or a failed write";
  static final String IMPLICIT_OPEN = "a write arrived while no writer was open: the last one stopped after the"
      + " idle-timeout, or failed";

  private void retireIdle() {
    long now = System.nanoTime();
    sessions.forEach((stream, s) -> {
      if (s.retireIfIdle(now, settings.idleTimeout())) {
        sessions.remove(stream, s);
      }
    });
  }

  private static boolean supported(StreamKey stream) {
    return stream.placementGroup() == 0;
  }

  private static <T> CompletableFuture<T> unsupported(StreamKey stream) {
    return CompletableFuture.failedFuture(new NotStoredException("the replicated journal serves placement group 0 only,"
        + " not " + stream.placementGroup() + " (stream " + stream.persistenceId() + ")"));
  }
}
