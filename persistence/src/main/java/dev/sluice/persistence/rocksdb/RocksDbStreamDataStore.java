package dev.sluice.persistence.rocksdb;

import dev.sluice.core.Bytes;
import dev.sluice.core.spi.DataUnit;
import dev.sluice.core.spi.StreamDataStore;
import dev.sluice.persistence.store.Column;
import dev.sluice.persistence.store.KeyLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@link StreamDataStore} over the {@code data} column family: units are keyed
 * {@code [storeId][position]} (see {@link KeyLayout}), so a read is ONE seek to {@code fromPos}
 * followed by forward iteration, bounded natively by {@code ReadOptions} iterate bounds so RocksDB
 * never walks into the next store. The units are written only by the journal, in the same synced
 * batch as their event; this class never writes.
 *
 * <p>{@code maxBytes}: units are added while the total stays within {@code maxBytes}, except that
 * the first unit in range is always returned, however large.
 *
 * <p>Thread-safe; methods block on RocksDB (microseconds when cached), so call them from a
 * dispatcher meant for blocking IO.
 */
public final class RocksDbStreamDataStore implements StreamDataStore {
  private final RocksDbHandle handle;

  RocksDbStreamDataStore(RocksDbHandle handle) {
    this.handle = handle;
  }

  @Override
  public List<DataUnit> read(long storeId, long fromPos, long toPos, int maxBytes) {
    if (fromPos < 0) {
      throw new IllegalArgumentException("fromPos must be >= 0, was " + fromPos);
    }
    if (toPos <= fromPos) {
      return List.of();
    }
    byte[] lowerKey = KeyLayout.dataKey(storeId, fromPos);
    byte[] upperKey = KeyLayout.dataKeyUpperBound(storeId, toPos);
    List<DataUnit> units = new ArrayList<>();
    long[] total = {0};
    handle.scan(Column.DATA, lowerKey, upperKey, KeyRangeScan.Direction.FORWARD, (key, value) -> {
      if (!units.isEmpty() && total[0] + value.length > maxBytes) {
        return false;
      }
      units.add(new DataUnit(KeyLayout.positionOf(key), Bytes.wrap(value)));
      total[0] += value.length;
      return total[0] < maxBytes;
    });
    return units;
  }

  /** Known while the group-commit writer refuses writes (storage full or failed); see {@link WriteGate}. */
  @Override
  public Optional<RuntimeException> writeBlocker() {
    return handle.writer().writeBlocker();
  }

  /** One reverse seek: the last unit of the store, by key order (= position order). */
  @Override
  public long storedEnd(long storeId) {
    long[] end = {0};
    handle.scan(Column.DATA, KeyLayout.dataKey(storeId, 0), KeyLayout.dataStoreEnd(storeId), KeyRangeScan.Direction.REVERSE,
        (key, value) -> {
          end[0] = KeyLayout.positionOf(key) + value.length;
          return false;
        });
    return end[0];
  }

  @Override
  public Optional<DataUnit> unitAt(long storeId, long position) {
    byte[] key = KeyLayout.dataKey(storeId, position);
    byte[] value = handle.read(db -> db.get(handle.column(Column.DATA), key));
    return value == null ? Optional.empty() : Optional.of(new DataUnit(position, Bytes.wrap(value)));
  }
}
