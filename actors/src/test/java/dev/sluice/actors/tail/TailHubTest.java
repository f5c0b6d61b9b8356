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
import java.util.List;
import org.junit.jupiter.api.Test;

class TailHubTest {
  private static TailUpdate update(long tail, DataUnit... units) {
    return new TailUpdate(7, tail, false, false, List.of(units));
  }

  @Test
  void aListenerIsWokenByTheNextChangeAndLaterListenersSeeItAsLast() {
    TailHub hub = new TailHub();
    TailHub.Wait w = hub.listen("/s");
    assertNull(w.last(), "nothing published yet");
    w.next().thenAccept(u -> {}); // a waiting reader
    TailUpdate u = update(3, new DataUnit(0, Bytes.utf8("abc")));
    hub.publish("/s", u);
    assertSame(u, w.next().getNow(null));
    TailHub.Wait again = hub.listen("/s");
    assertSame(u, again.last());
    assertFalse(again.next().isDone());
  }

  @Test
  void aChangeNobodyWaitsForDropsThePathSoItsLastTailIsNotTrustedLater() {
    TailHub hub = new TailHub();
    TailHub.Wait w = hub.listen("/s"); // listened, but nobody attached to the future
    hub.publish("/s", update(3));
    assertTrue(w.next().isDone(), "the listener is still woken");
    assertEquals(0, hub.activePaths());
    assertNull(hub.listen("/s").last(), "a later reader must ask the entity");
    hub.publish("/other", update(1)); // no listener ever: nothing is kept
    assertEquals(1, hub.activePaths());
  }

  @Test
  void shutdownWakesWaitersSpuriously() {
    TailHub hub = new TailHub();
    TailHub.Wait w = hub.listen("/s");
    hub.shutdown();
    assertTrue(w.next().getNow(null).isSpurious());
    assertTrue(hub.isClosing());
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
