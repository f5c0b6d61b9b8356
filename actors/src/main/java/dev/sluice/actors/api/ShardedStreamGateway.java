package dev.sluice.actors.api;

import dev.sluice.core.rules.StreamView;
import dev.sluice.actors.stream.Asks;
import dev.sluice.actors.stream.BodySlice;
import dev.sluice.actors.stream.DataNotLocalYetException;
import dev.sluice.actors.stream.LocalCopy;
import dev.sluice.actors.stream.StreamEntity;
import dev.sluice.actors.tail.TailHub;
import dev.sluice.actors.tail.TailRelay;
import dev.sluice.core.rules.Commands;
import dev.sluice.core.rules.Payload;
import dev.sluice.core.Bytes;
import dev.sluice.core.protocol.Offset;
import dev.sluice.core.spi.StorageFullException;
import dev.sluice.core.spi.DataUnit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.japi.Pair;
import dev.sluice.core.error.ErrorCode;
import dev.sluice.core.error.Rejection;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import java.util.function.Function;

/**
 * {@link StreamGateway} over Cluster Sharding: every call is an ask to the stream's entity;
 * data reads go straight to the store on the blocking-IO executor. Thread-safe.
 */
public final class ShardedStreamGateway implements StreamGateway {
  private final ClusterSharding sharding;
  private final TailHub hub;
  private final StreamReader reader;
  private final Executor blockingIo;
  private final Duration askTimeout;
  /** This node's relay: live readers here register it with a stream owned elsewhere. */
  private final ActorRef<TailRelay.Command> relay;

  public ShardedStreamGateway(ClusterSharding sharding, TailHub hub, StreamReader reader, Executor blockingIo, Duration askTimeout) {
    this(sharding, hub, reader, blockingIo, askTimeout, null);
  }

  public ShardedStreamGateway(ClusterSharding sharding, TailHub hub, StreamReader reader, Executor blockingIo,
                              Duration askTimeout, ActorRef<TailRelay.Command> relay) {
    this.sharding = sharding;
    this.hub = hub;
    this.reader = reader;
    this.blockingIo = blockingIo;
    this.askTimeout = askTimeout;
    this.relay = relay;
  }

  /**
   * Slack added to a watch lease beyond the reader's own wait: the lease must outlive the wait
   * even when the look itself took a while, or a change near the end of the wait would be missed.
   */
  private static final long WATCH_SLACK_MILLIS = 5_000;

  private EntityRef<StreamEntity.Command> ref(String path) {
    return sharding.entityRefFor(StreamEntity.TYPE_KEY, path);
  }

  /** Asks the stream's entity; stages run on the replying thread ({@link Asks}). */
  private <T> CompletionStage<T> ask(String path, Function<ActorRef<StreamEntity.Reply<T>>, StreamEntity.Command> msg) {
    return Asks.ask(ref(path), msg, askTimeout).handle((reply, err) -> {
      if (err != null) {
        throw new StreamUnavailableException("stream " + path + " did not answer: " + err, err);
      }
      if (reply instanceof StreamEntity.Reply.Ok<T> ok) return ok.value();
      if (reply instanceof StreamEntity.Reply.Rejected<T> r) throw new StreamRejectedException(r.rejection());
      throw new StreamUnavailableException("operation on " + path + " failed (" + ((StreamEntity.Reply.Failed<T>) reply).reason()
          + "); retry", null);
    });
  }

  /**
   * A write: refused at once while the store knows writes fail (storage full or failing), instead
   * of being sent through the entity, whose failed journal write would restart it with a backoff
   * (commands sent meanwhile are lost and their clients waited for the ask timeout: the 8 s
   * answers of the disk-full bug). Full storage stored nothing, so it stays StorageFullException
   * (507); a failing one is "unavailable, retry" (503), as for any storage failure.
   */
  private <T> CompletionStage<T> write(String path, Function<ActorRef<StreamEntity.Reply<T>>, StreamEntity.Command> msg) {
    RuntimeException refused = refusal(path);
    return refused == null ? ask(path, msg) : CompletableFuture.failedFuture(refused);
  }

  /** Why a write to {@code path} is refused before it is sent, or null. */
  private RuntimeException refusal(String path) {
    var blocked = reader.writeBlocker();
    if (blocked.isEmpty()) return null;
    RuntimeException why = blocked.get();
    return why instanceof StorageFullException
        ? why : new StreamUnavailableException("storage is failing, " + path + " not written: " + why.getMessage(), why);
  }

  /**
   * Bodies above this travel in parts (docs/design.md "Large bodies"): one message must fit
   * Artery's maximum frame (256 KiB), or Artery drops it and the ask times out.
   */
  static final int SPLIT_ABOVE = 192 * 1024;
  /** The size of each part but the last: well inside the frame with the envelope around it. */
  static final int PART_SIZE = 128 * 1024;

  @Override
  public CompletionStage<Commands.CreateResult> create(String path, Commands.Create cmd) {
    Bytes body = cmd.body();
    if (body == null || body.length() <= SPLIT_ABOVE) return write(path, r -> new StreamEntity.Create(cmd, r));
    var rest = new Commands.Create(cmd.contentType(), cmd.ttlSeconds(), cmd.expiresAtMillis(), cmd.closed(), Bytes.EMPTY, cmd.fork());
    return writeInParts(path, body, up -> r -> new StreamEntity.PartedCreate(rest, up, r));
  }

  @Override
  public CompletionStage<Commands.AppendResult> append(String path, Commands.Append cmd) {
    Bytes unit = cmd.payload().unit();
    if (unit.length() <= SPLIT_ABOVE) return write(path, r -> new StreamEntity.Append(cmd, r));
    var p = cmd.payload();
    var rest = new Commands.Append(cmd.contentType(), new Payload(Bytes.EMPTY, p.messages(), p.error(), p.rawEmpty()),
        cmd.close(), cmd.streamSeq(), cmd.producer());
    return writeInParts(path, unit, up -> r -> new StreamEntity.PartedAppend(rest, up, r));
  }

  /**
   * A write whose body is too large for one message: its parts are told to the entity first, in
   * order, through the same {@link EntityRef} (Cluster Sharding keeps the order of one sender's
   * messages to one entity), then the command that refers to them is asked. A part lost in transit
   * makes the entity answer "failed, retry"; parts whose command never comes expire there.
   */
  private <T> CompletionStage<T> writeInParts(String path, Bytes body,
      Function<StreamEntity.Upload, Function<ActorRef<StreamEntity.Reply<T>>, StreamEntity.Command>> msg) {
    RuntimeException refused = refusal(path);
    if (refused != null) return CompletableFuture.failedFuture(refused);
    String id = UUID.randomUUID().toString();
    EntityRef<StreamEntity.Command> entity = ref(path);
    int parts = 0;
    for (int from = 0; from < body.length(); from += PART_SIZE) {
      entity.tell(new StreamEntity.BodyPart(id, parts++, BodySlice.of(body, from, Math.min(body.length(), from + PART_SIZE))));
    }
    return ask(path, msg.apply(new StreamEntity.Upload(id, parts, body.length())));
  }

  @Override
  public CompletionStage<StreamView> view(String path, boolean touch) {
    return ask(path, r -> new StreamEntity.GetView(touch, r));
  }

  @Override
  public CompletionStage<Done> delete(String path) {
    return this.<Boolean>write(path, StreamEntity.Delete::new).thenApply(b -> Done.getInstance());
  }

  /**
   * Reads this node's copy; while it is behind the committed tail (a replica materializes committed
   * data a few milliseconds after the owner acknowledged it) the read waits for it ({@link LocalCopy}),
   * then gives up with "unavailable, retry" rather than answering short.
   */
  @Override
  public CompletionStage<ReadChunk> read(StreamView view, long fromPos, int maxBytes) {
    return LocalCopy.await(() -> reader.read(view, fromPos, maxBytes), blockingIo).exceptionally(err -> {
      Throwable cause = err instanceof java.util.concurrent.CompletionException ? err.getCause() : err;
      if (cause instanceof DataNotLocalYetException) {
        throw new StreamUnavailableException("this node's copy of the stream is behind: " + cause.getMessage(), cause);
      }
      throw err instanceof RuntimeException re ? re : new java.util.concurrent.CompletionException(err);
    });
  }

  @Override
  public CompletionStage<Optional<StreamView>> awaitBeyond(String path, long fromPos, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    return awaitLoop(path, fromPos, deadline, ReaderWaits.NONE);
  }

  private CompletionStage<Optional<StreamView>> awaitLoop(String path, long fromPos, long deadlineNanos, ReaderWaits waits) {
    if (hub.isClosing()) return CompletableFuture.completedFuture(Optional.empty());
    // Listen before looking, so a commit between the look and the wait still wakes us.
    TailHub.Waiter waiter = waits.listen(hub, path);
    long watchMillis = Math.max(0, (deadlineNanos - System.nanoTime()) / 1_000_000) + WATCH_SLACK_MILLIS;
    return this.<StreamView>ask(path, r -> new StreamEntity.GetView(false, r, relay, watchMillis)).whenComplete((v, err) -> {
      if (err != null) waiter.cancel();
    }).thenCompose(v -> {
      if (v.tail() > fromPos || v.info().closed()) {
        waiter.cancel();
        return CompletableFuture.completedFuture(Optional.of(v));
      }
      long left = deadlineNanos - System.nanoTime();
      if (left <= 0) {
        waiter.cancel();
        return CompletableFuture.completedFuture(Optional.<StreamView>empty());
      }
      return waiter.await(Duration.ofNanos(left)).thenCompose(u -> {
        if (u == null) return CompletableFuture.completedFuture(Optional.<StreamView>empty());
        if (u.advances(v.storeId(), fromPos)) {
          return CompletableFuture.completedFuture(Optional.of(v.withTail(u.tail(), u.closed())));
        }
        return awaitLoop(path, fromPos, deadlineNanos, waits);
      });
    });
  }

  /** Where a tail is: the view it reads against, its position, whether it already said "caught up". */
  private record TailCursor(StreamView view, long pos, boolean announcedUpToDate, boolean finished) {}

  @Override
  public Source<ReadChunk, NotUsed> tail(
      String path, StreamView initial, long fromPos, Duration idleTimeout, Duration maxDuration, int maxChunkBytes) {
    var start = new TailCursor(initial, Math.min(fromPos, initial.tail()), false, false);
    // One ReaderWaits per materialization: when the reader goes away (cancel) or fails, its
    // pending hub registration goes with it instead of waiting for the next change or timeout.
    Source<ReadChunk, NotUsed> src = Source.<ReadChunk, NotUsed>fromMaterializer((mat, attrs) -> {
      ReaderWaits waits = new ReaderWaits();
      return Source.unfoldAsync(start, (TailCursor c) -> step(path, c, idleTimeout, maxChunkBytes, waits))
          .watchTermination((NotUsed m, CompletionStage<Done> done) -> {
            done.whenComplete((d, err) -> waits.end());
            return m;
          });
    }).mapMaterializedValue(f -> NotUsed.getInstance());
    // No cycling for embedded tails (null): the scheduler cannot hold timers beyond ~248 days anyway.
    return maxDuration == null ? src : src.takeWithin(maxDuration);
  }

  private CompletionStage<Optional<Pair<TailCursor, ReadChunk>>> step(
      String path, TailCursor c, Duration idleTimeout, int maxChunkBytes, ReaderWaits waits) {
    if (c.finished() || (hub.isClosing() && c.announcedUpToDate())) return CompletableFuture.completedFuture(Optional.empty());
    if (c.pos() < c.view().tail()) return read(c.view(), c.pos(), maxChunkBytes).thenApply(chunk -> emit(c.view(), chunk));
    if (c.view().info().closed() || !c.announcedUpToDate()) return CompletableFuture.completedFuture(atTail(c));
    TailHub.Waiter wait = waits.listen(hub, path);
    if (wait.last() != null && wait.last().reaches(c.view().storeId(), c.pos())) {
      return awaitKnownTail(path, c, wait, idleTimeout, maxChunkBytes, waits);
    }
    wait.cancel(); // awaitLoop listens for itself, after asking the entity
    long deadline = System.nanoTime() + idleTimeout.toNanos();
    return awaitLoop(path, c.pos(), deadline, waits).thenComposeAsync(v -> {
      // Idle: an empty chunk repeats the caught-up signal as a keep-alive.
      if (v.isEmpty()) return CompletableFuture.completedFuture(atTail(c));
      var nv = v.get();
      if (nv.storeId() != c.view().storeId()) {
        throw new StreamRejectedException(Rejection.of(ErrorCode.STREAM_NOT_FOUND, "stream was re-created"));
      }
      return read(nv, c.pos(), maxChunkBytes).thenApply(chunk -> emit(nv, chunk));
    }, blockingIo);
  }

  /**
   * The SSE fast path: the hub's last change of this stream says where its tail is, so the cursor
   * waits (or moves on) without asking the entity; when the change carries the units from the
   * cursor on, they are emitted without reading the store. Every change after {@code wait} was
   * taken completes its {@code await}, so nothing is missed.
   */
  private CompletionStage<Optional<Pair<TailCursor, ReadChunk>>> awaitKnownTail(
      String path, TailCursor c, TailHub.Waiter wait, Duration idleTimeout, int maxChunkBytes, ReaderWaits waits) {
    long storeId = c.view().storeId();
    if (wait.last().advances(storeId, c.pos())) {
      wait.cancel();
      return advance(c, wait.last(), maxChunkBytes);
    }
    return wait.await(idleTimeout)
        .thenCompose(u -> {
          if (u == null) return CompletableFuture.completedFuture(atTail(c));
          if (u.advances(storeId, c.pos())) return advance(c, u, maxChunkBytes);
          return step(path, c, idleTimeout, maxChunkBytes, waits); // spurious, gone or re-created: look again
        });
  }

  private CompletionStage<Optional<Pair<TailCursor, ReadChunk>>> advance(TailCursor c, TailHub.TailUpdate u, int maxChunkBytes) {
    StreamView nv = c.view().withTail(u.tail(), u.closed());
    var units = u.tail() > c.pos() ? u.unitsFrom(c.pos()) : List.<DataUnit>of();
    long bytes = 0;
    if (units != null) for (var unit : units) bytes += unit.data().length();
    if (units == null || bytes > maxChunkBytes || !ownSegment(nv, c.pos())) {
      return read(nv, c.pos(), maxChunkBytes).thenApply(chunk -> emit(nv, chunk));
    }
    var data = new ArrayList<Bytes>(units.size());
    for (var unit : units) data.add(unit.data());
    var chunk = new ReadChunk(List.copyOf(data), Offset.at(c.pos()), Offset.at(u.tail()), true, u.closed(), nv);
    return CompletableFuture.completedFuture(emit(nv, chunk));
  }

  /** Units in an update are of the view's own store; a position before its own range is inherited. */
  private static boolean ownSegment(StreamView v, long pos) {
    var own = v.readPath().get(v.readPath().size() - 1);
    return own.storeId() == v.storeId() && pos >= own.start();
  }

  /** The empty chunk at the tail: "caught up" (or EOF when closed); repeated as the idle keep-alive. */
  private Optional<Pair<TailCursor, ReadChunk>> atTail(TailCursor c) {
    return emit(c.view(), reader.read(c.view(), c.pos(), 0));
  }

  /** Emits {@code chunk} and moves the cursor past it (an empty chunk at the tail marks "caught up"). */
  private static Optional<Pair<TailCursor, ReadChunk>> emit(StreamView view, ReadChunk chunk) {
    return Optional.of(Pair.create(
        new TailCursor(view, chunk.next().position(), chunk.upToDate(), chunk.closedAtEnd()), chunk));
  }

}
