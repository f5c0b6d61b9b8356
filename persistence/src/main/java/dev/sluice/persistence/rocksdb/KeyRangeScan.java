package dev.sluice.persistence.rocksdb;

import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;

/**
 * INTERNAL API. The one way this module iterates RocksDB: over the keys {@code [lower,
 * upperExclusive)} of one column family, forwards or backwards, until the visitor says stop.
 *
 * <p>Why one helper: every range read needs the same things, and each copy had to get all of them
 * right. The bounds are set natively ({@code ReadOptions} iterate bounds), so RocksDB never walks
 * into the next stream or store, not even to find out that a range is empty; the two
 * {@code Slice}s must outlive the iterator and be closed after it; and {@code status()} must be
 * checked after the loop, because an IO error ends an iteration exactly like the end of the range
 * does and would otherwise pass for a short result.
 *
 * <p>Thread-safe (stateless). The caller guarantees that {@code db} stays open during the scan
 * ({@link RocksDbHandle#scan} does, for readers outside the writer thread).
 */
final class KeyRangeScan {
  enum Direction {
    FORWARD,
    REVERSE
  }

  /**
   * Sees each entry in scan order and returns {@code false} to stop. The arrays are fresh copies
   * made by JNI for this call, so the visitor owns them and may keep them.
   */
  @FunctionalInterface
  interface Visitor {
    boolean visit(byte[] key, byte[] value);
  }

  private KeyRangeScan() {}

  /**
   * @throws RocksDBException if RocksDB reports an error during the iteration
   */
  static void scan(
      RocksDB db, ColumnFamilyHandle cf, byte[] lower, byte[] upperExclusive, Direction direction, Visitor visitor)
      throws RocksDBException {
    try (Slice lowerSlice = new Slice(lower);
        Slice upperSlice = new Slice(upperExclusive);
        ReadOptions options = new ReadOptions().setIterateLowerBound(lowerSlice).setIterateUpperBound(upperSlice);
        RocksIterator it = db.newIterator(cf, options)) {
      boolean forward = direction == Direction.FORWARD;
      if (forward) {
        it.seek(lower);
      } else {
        it.seekToLast();
      }
      while (it.isValid() && visitor.visit(it.key(), it.value())) {
        if (forward) {
          it.next();
        } else {
          it.prev();
        }
      }
      it.status();
    }
  }
}
