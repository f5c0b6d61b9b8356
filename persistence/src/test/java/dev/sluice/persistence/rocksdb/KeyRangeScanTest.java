package dev.sluice.persistence.rocksdb;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sluice.persistence.store.Column;
import dev.sluice.persistence.store.KeyLayout;
import dev.sluice.persistence.support.TestStorage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/** The one range iteration of the module: bounds, direction and stopping. */
class KeyRangeScanTest {
  private Path dir;
  private RocksDbHandle handle;

  @BeforeEach
  void open() throws Exception {
    dir = TestStorage.newDir("key-range-scan");
    handle = RocksDbHandle.open(TestStorage.settings(dir));
    // Stores 1, 2 and 3 with positions 0..4 each, so every scan of store 2 has neighbours on both sides.
    try (WriteBatch batch = new WriteBatch(); WriteOptions options = new WriteOptions()) {
      for (long store = 1; store <= 3; store++) {
        for (long pos = 0; pos < 5; pos++) {
          batch.put(handle.column(Column.DATA), KeyLayout.dataKey(store, pos), new byte[] {(byte) pos});
        }
      }
      handle.db().write(options, batch);
    }
  }

  @AfterEach
  void close() {
    handle.close();
    TestStorage.deleteRecursively(dir);
  }

  private List<Long> positions(long from, long toExclusive, KeyRangeScan.Direction direction, int limit) {
    List<Long> seen = new ArrayList<>();
    handle.scan(Column.DATA, KeyLayout.dataKey(2, from), KeyLayout.dataKeyUpperBound(2, toExclusive), direction,
        (key, value) -> {
          seen.add(KeyLayout.positionOf(key));
          return seen.size() < limit;
        });
    return seen;
  }

  @Test
  void aForwardScanStaysInsideItsBoundsAndStopsWhenTheVisitorSaysSo() {
    assertEquals(List.of(1L, 2L, 3L), positions(1, 4, KeyRangeScan.Direction.FORWARD, 100));
    assertEquals(List.of(0L, 1L, 2L, 3L, 4L), positions(0, Long.MAX_VALUE, KeyRangeScan.Direction.FORWARD, 100));
    assertEquals(List.of(1L, 2L), positions(1, 4, KeyRangeScan.Direction.FORWARD, 2));
  }

  @Test
  void aReverseScanStartsAtTheUpperBound() {
    assertEquals(List.of(3L, 2L, 1L), positions(1, 4, KeyRangeScan.Direction.REVERSE, 100));
    assertEquals(List.of(4L), positions(0, Long.MAX_VALUE, KeyRangeScan.Direction.REVERSE, 1));
  }

  @Test
  void anEmptyRangeSeesNothingOfTheNeighbours() {
    assertEquals(List.of(), positions(3, 3, KeyRangeScan.Direction.FORWARD, 100));
    assertEquals(List.of(), positions(3, 3, KeyRangeScan.Direction.REVERSE, 100));
    assertEquals(List.of(), positions(7, 9, KeyRangeScan.Direction.FORWARD, 100));
  }
}
