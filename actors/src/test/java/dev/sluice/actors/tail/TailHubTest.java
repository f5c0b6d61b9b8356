package dev.sluice.actors.tail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.actors.tail.TailHub.TailUpdate;
import dev.sluice.core.Bytes;
import dev.sluice.core.model.StreamEvent;
import dev.sluice.core.spi.DataUnit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TailHubTest {
  private static final Duration LONG = Duration.ofMinutes(10);

  private static TailUpdate update(long tail, DataUnit... units) {
    return new TailUpdate(7, tail, false, false, List.of(units));
  }

  @Test
  void aListenerIsWokenByTheNextChangeAndLaterListenersSeeItAsLast() {
    TailHub hub = new TailHub();
    TailHub.Waiter w = hub.listen("/s");
    assertNull(w.last(), "nothing published yet");
    var woken = w.await(LONG);
    TailUpdate u = update(3, new DataUnit(0, Bytes.utf8("abc")));
    hub.publish("/s", u);
    assertSame(u, woken.getNow(null));
    TailHub.Waiter again = hub.listen("/s");
    assertSame(u, again.last());
    assertFalse(again.future().isDone());
  }

  @Test
  void aChangeNobodyWaitsForDropsThePathSoItsLastTailIsNotTrustedLater() {
    TailHub hub = new TailHub();
    TailHub.Waiter w = hub.listen("/s");
    w.cancel(); // looked at the stream and did not need to wait
    hub.publish("/s", update(3));
    assertEquals(0, hub.activePaths());
    assertNull(hub.listen("/s").last(), "a later reader must ask the entity");
    hub.publish("/other", update(1)); // no listener ever: nothing is kept
    assertEquals(1, hub.activePaths());
  }

  @Test
  void shutdownWakesWaitersSpuriouslyAndLaterListenersAtOnce() {
    TailHub hub = new TailHub();
    TailHub.Waiter w = hub.listen("/s");
    var woken = w.await(LONG);
    hub.shutdown();
    assertTrue(woken.getNow(null).isSpurious());
    assertTrue(hub.isClosing());
    assertTrue(hub.listen("/s").await(LONG).getNow(null).isSpurious());
  }

  /**
   * Regression: with one future shared by every reader, the 4,097th listener of an idle stream
   * completed it "spuriously", waking all the others, which re-registered: a busy loop that grew
   * without bound (22 M futures with 5,000 SSE readers).
   */
  @Test
  void tenThousandWaitersOnAnIdleStreamAreNeverWokenWithoutAChange() {
    TailHub hub = new TailHub();
    List<CompletableFuture<TailUpdate>> waits = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      waits.add(hub.listen("/s").await(LONG));
    }
    assertEquals(0, waits.stream().filter(CompletableFuture::isDone).count(), "woken without a change");
    assertEquals(10_000, hub.waiters("/s"));
    TailUpdate u = update(1);
    hub.publish("/s", u);
    assertEquals(10_000, waits.stream().filter(f -> f.getNow(null) == u).count(), "one change wakes each once");
    assertEquals(0, hub.waiters("/s"));
  }

  @Test
  void waitersThatTimeOutOrCancelLeaveNothingBehind() throws Exception {
    TailHub hub = new TailHub();
    List<CompletableFuture<TailUpdate>> timedOut = new ArrayList<>();
    for (int i = 0; i < 5_000; i++) {
      timedOut.add(hub.listen("/s").await(Duration.ofMillis(1)));
      hub.listen("/s").cancel();
    }
    for (var f : timedOut) {
      assertNull(f.get(10, TimeUnit.SECONDS), "a timeout completes with null");
    }
    // Deregistration runs right after completion, on the completing thread.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (hub.waiters("/s") > 0 && System.nanoTime() < deadline) Thread.onSpinWait();
    assertEquals(0, hub.waiters("/s"), "timed-out and cancelled readers are not retained");
  }

  @Test
  void unitsOfKeepsTheAppendedUnitsOnlyWhenTheyReachTheTail() {
    var a = StreamEvent.Appended.of(7, 0, Bytes.utf8("ab"), null, null, null, null, false, 1);
    var b = StreamEvent.Appended.of(7, 2, Bytes.utf8("cde"), null, null, null, null, false, 1);
    var units = TailHub.unitsOf(List.of(a, b), 7, 5);
    assertEquals(List.of(new DataUnit(0, Bytes.utf8("ab")), new DataUnit(2, Bytes.utf8("cde"))), units);
    assertEquals(List.of(), TailHub.unitsOf(List.of(a, b), 7, 9), "not ending at the tail: unknown");
    assertEquals(List.of(), TailHub.unitsOf(List.of(a, b), 8, 5), "another incarnation's units");
    assertEquals(List.of(), TailHub.unitsOf(List.of(a.withoutData()), 7, 2), "replayed events carry no bytes");

    TailUpdate u = new TailUpdate(7, 5, false, false, units);
    assertEquals(units.subList(1, 2), u.unitsFrom(2));
    assertEquals(units, u.unitsFrom(0));
    assertNull(u.unitsFrom(1), "inside a unit: read the store");
    assertNull(u.unitsFrom(5), "nothing from the tail on in this update");
  }
}
