package dev.sluice.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.Bytes;
import dev.sluice.subscriptions.SubscriptionException;
import dev.sluice.subscriptions.Wake;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedding API of subscriptions (README "Subscriptions"): wakes of a pattern subscription
 * arrive as a Pekko Streams {@code Source}, one claimed wake per element, and acking a wake records
 * the streams' tails, so the next wake offers only what came after.
 */
class EmbeddedSubscriptionsTest {
  private static <T> T await(CompletionStage<T> f) throws Exception {
    return f.toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void wakesArriveAsASourceAndAcksMoveTheCursor(@TempDir Path dir) throws Exception {
    try (SluiceEmbedded sluice = SluiceEmbedded.start("embedded-subs-test", dir.resolve("data"))) {
      var streams = sluice.streams();
      var subs = sluice.subscriptions();
      String json = "application/json";
      await(streams.create("sessions/old", json));
      await(streams.append("sessions/old", json, Bytes.utf8("{\"n\":0}")));
      await(streams.create("sessions/1", json));
      await(subs.subscribe("agent", "sessions/*", List.of())); // both streams linked at their tails
      await(subs.subscribe("agent", "sessions/*", List.of())); // idempotent
      var other = subs.subscribe("agent", "other/*", List.of()).toCompletableFuture();
      var e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, () -> other.get(30, TimeUnit.SECONDS));
      assertEquals("SUBSCRIPTION_ALREADY_EXISTS", ((SubscriptionException) e.getCause()).code());

      var wakes = subs.wakes("agent").runWith(Sink.queue(), sluice.system());
      await(streams.append("sessions/1", json, Bytes.utf8("{\"role\":\"user\"}")));
      Wake first = await(wakes.pull()).orElseThrow();
      assertEquals(List.of("sessions/1"), first.pending().stream().map(Wake.WakeStream::path).toList(),
          "the backfilled stream has nothing new: " + first);
      assertFalse(await(first.ack()), "nothing else pending");

      await(streams.append("sessions/1", json, Bytes.utf8("{\"role\":\"agent\"}")));
      Wake second = await(wakes.pull()).orElseThrow();
      assertTrue(second.generation() > first.generation());
      var pending = second.pending();
      assertEquals(1, pending.size());
      assertEquals(first.pending().get(0).tailOffset(), pending.get(0).ackedOffset(), "acked where the first wake left off");
      assertTrue(pending.get(0).tailOffset().compareTo(pending.get(0).ackedOffset()) > 0);
      await(second.ack());
      wakes.cancel();
      await(subs.unsubscribe("agent"));
    }
  }
}
