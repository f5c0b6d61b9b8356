package dev.sluice.bench.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StreamPickerTest {

  @Test
  void oneTargetIsRequestNumberModuloStreams() {
    StreamPicker p = new StreamPicker(3, 1);
    int[] got = new int[7];
    for (int k = 0; k < 7; k++) got[k] = p.next(0);
    assertEquals("[0, 1, 2, 0, 1, 2, 0]", java.util.Arrays.toString(got));
  }

  @Test
  void everyStreamGoesThroughEveryTargetEvenWhenTheTargetCountDividesTheStreamCount() {
    for (int streams : new int[] {1, 2, 3, 99, 100, 300}) {
      StreamPicker p = new StreamPicker(streams, 3);
      @SuppressWarnings("unchecked")
      Set<Integer>[] targetsOf = new Set[streams];
      for (int s = 0; s < streams; s++) targetsOf[s] = new HashSet<>();
      // Requests handed to the targets in turn, as the open loop does.
      for (int k = 0; k < 3 * streams; k++) targetsOf[p.next(k % 3)].add(k % 3);
      for (int s = 0; s < streams; s++) assertEquals(Set.of(0, 1, 2), targetsOf[s], "stream " + s + " of " + streams);
    }
  }

  @Test
  void targetsStartSpreadOverTheStreams() {
    StreamPicker p = new StreamPicker(100, 3);
    assertEquals(0, p.next(0));
    assertEquals(33, p.next(1));
    assertEquals(66, p.next(2));
  }
}
