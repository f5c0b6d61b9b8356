package dev.sluice.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class InMemoryReplicaLogTest {
  static final long E1 = Epoch.of(1, 0);
  static final long E2 = Epoch.of(2, 1);

  static List<Entry> run(long fromExclusive, long to, long epoch, int payloadBytes) {
    List<Entry> es = new ArrayList<>();
    for (long i = fromExclusive + 1; i <= to; i++) es.add(new Entry(i, epoch, new Payload(new byte[payloadBytes]), null));
    return es;
  }

  @Test
  void appendsTruncatesAndReplacesInOneChange() {
    InMemoryReplicaLog log = new InMemoryReplicaLog();
    log.apply(LogChange.append(run(0, 5, E1, 1)));
    assertEquals(5, log.tailSeq());
    assertEquals(E1, log.epochAt(5));
    assertEquals(Epoch.NONE, log.epochAt(0));
    log.apply(LogChange.replace(2, run(2, 3, E2, 1)));
    assertEquals(3, log.tailSeq());
    assertEquals(E1, log.epochAt(2));
    assertEquals(E2, log.epochAt(3));
    log.apply(LogChange.replace(1, List.of()));
    assertEquals(1, log.tailSeq());
    log.apply(LogChange.NONE);
    assertEquals(1, log.tailSeq());
  }

  @Test
  void aChangeThatDoesNotContinueTheLogIsRefused() {
    InMemoryReplicaLog log = new InMemoryReplicaLog();
    assertThrows(IllegalStateException.class, () -> log.apply(LogChange.append(run(1, 2, E1, 1))));
    assertThrows(IllegalArgumentException.class, () -> LogChange.replace(3, run(1, 2, E1, 1)));
  }

  @Test
  void pagesStopAtTheCountOrTheByteBudgetButNeverComeBackEmpty() {
    InMemoryReplicaLog log = new InMemoryReplicaLog();
    log.apply(LogChange.append(run(0, 10, E1, 100)));
    long one = log.entries(0, 1, Long.MAX_VALUE).get(0).sizeBytes();
    assertEquals(4, log.entries(0, 4, Long.MAX_VALUE).size());
    assertEquals(3, log.entries(0, 100, 3 * one + one / 2).size());
    assertEquals(1, log.entries(0, 100, 1).size());
    assertEquals(List.of(9L, 10L), log.entries(8, 100, Long.MAX_VALUE).stream().map(Entry::seq).toList());
    assertEquals(List.of(), log.entries(10, 100, Long.MAX_VALUE));
  }

  @Test
  void aCopyIsIndependent() {
    InMemoryReplicaLog log = new InMemoryReplicaLog();
    log.apply(LogChange.append(run(0, 3, E1, 1)));
    InMemoryReplicaLog copy = log.copy();
    log.apply(LogChange.replace(0, List.of()));
    assertEquals(3, copy.tailSeq());
    assertEquals(0, log.tailSeq());
  }

  @Test
  void tailAfterPredictsTheTail() {
    assertEquals(7, LogChange.append(run(5, 7, E1, 1)).tailAfter(5));
    assertEquals(3, LogChange.replace(2, run(2, 3, E1, 1)).tailAfter(9));
    assertEquals(9, LogChange.NONE.tailAfter(9));
  }
}
