package dev.sluice.server.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.actors.api.ReadChunk;
import dev.sluice.actors.api.StreamGateway;
import dev.sluice.actors.api.StreamUnavailableException;
import dev.sluice.core.rules.Commands;
import dev.sluice.core.rules.StreamView;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.javadsl.Source;
import org.junit.jupiter.api.Test;

class QuorumGatedGatewayTest {
  /** Records which operations reached it; never completes them (a write that would wait). */
  static final class Recording implements StreamGateway {
    final List<String> calls = new ArrayList<>();

    @Override
    public CompletionStage<Commands.CreateResult> create(String path, Commands.Create cmd) {
      calls.add("create " + path);
      return new CompletableFuture<>();
    }

    @Override
    public CompletionStage<Commands.AppendResult> append(String path, Commands.Append cmd) {
      calls.add("append " + path);
      return new CompletableFuture<>();
    }

    @Override
    public CompletionStage<StreamView> view(String path, boolean touch) {
      calls.add("view " + path);
      return new CompletableFuture<>();
    }

    @Override
    public CompletionStage<Done> delete(String path) {
      calls.add("delete " + path);
      return new CompletableFuture<>();
    }

    @Override
    public CompletionStage<ReadChunk> read(StreamView view, long fromPos, int maxBytes) {
      calls.add("read");
      return new CompletableFuture<>();
    }

    @Override
    public CompletionStage<Optional<StreamView>> awaitBeyond(String path, long fromPos, Duration timeout) {
      calls.add("await " + path);
      return new CompletableFuture<>();
    }

    @Override
    public Source<ReadChunk, NotUsed> tail(String path, StreamView initial, long fromPos, Duration idleTimeout,
                                           Duration maxDuration, int maxChunkBytes) {
      calls.add("tail " + path);
      return Source.empty();
    }
  }

  private static Throwable failure(CompletionStage<?> f) {
    CompletableFuture<?> c = f.toCompletableFuture();
    assertTrue(c.isDone(), "answered at once, not after a timeout");
    try {
      c.join();
    } catch (CompletionException e) {
      return e.getCause();
    }
    throw new AssertionError("expected a failure");
  }

  @Test
  void withoutAQuorumWritesFailAtOnceAsUnavailableAndNeverReachTheStream() {
    var inner = new Recording();
    var gate = new QuorumGatedGateway(inner, () -> Optional.of("only 1 of the replica set's 3 nodes are reachable"));
    for (CompletionStage<?> w : List.of(gate.create("a", null), gate.append("a", null), gate.delete("a"))) {
      Throwable t = failure(w);
      assertInstanceOf(StreamUnavailableException.class, t);
      assertTrue(t.getMessage().contains("only 1 of the replica set's 3 nodes"), t.getMessage());
    }
    assertEquals(List.of(), inner.calls);
  }

  @Test
  void readsGoThroughWithoutAQuorumAndEverythingGoesThroughWithOne() {
    var inner = new Recording();
    AtomicReference<Optional<String>> problem = new AtomicReference<>(Optional.of("no quorum"));
    var gate = new QuorumGatedGateway(inner, problem::get);
    gate.view("a", true);
    gate.awaitBeyond("a", 0, Duration.ofSeconds(1));
    gate.read(null, 0, 1);
    gate.tail("a", null, 0, Duration.ofSeconds(1), null, 1);
    assertEquals(List.of("view a", "await a", "read", "tail a"), inner.calls);
    problem.set(Optional.empty());
    gate.create("b", null);
    gate.append("b", null);
    gate.delete("b");
    assertEquals(List.of("view a", "await a", "read", "tail a", "create b", "append b", "delete b"), inner.calls);
  }

  @Test
  void aWriteWaitingWhenTheQuorumGoesIsAnswered503AtTheNextRecheckAndNothingIsKeptAfterward() {
    var inner = new Recording();
    AtomicReference<Optional<String>> problem = new AtomicReference<>(Optional.empty());
    var gate = new QuorumGatedGateway(inner, problem::get);
    CompletionStage<?> waiting = gate.append("a", null);
    gate.recheck();
    assertTrue(!waiting.toCompletableFuture().isDone(), "the quorum is there: the write keeps waiting");
    problem.set(Optional.of("node 1 unreachable"));
    gate.recheck();
    assertInstanceOf(StreamUnavailableException.class, failure(waiting));
    assertEquals(List.of("append a"), inner.calls);
  }
}
