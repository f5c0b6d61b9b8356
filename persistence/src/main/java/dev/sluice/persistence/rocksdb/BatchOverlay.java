package dev.sluice.persistence.rocksdb;

import dev.sluice.persistence.store.Column;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * INTERNAL API. Read-your-writes for the raw key writes of one group-commit batch (a RocksDB
 * {@code WriteBatch} cannot be read, and {@code WriteBatchWithIndex} does not support the range
 * deletes a replica's truncation needs). A staged write ({@link GroupCommitWriter.StagedWrite}) that
 * reads a key sees, in this order: what its own request wrote, what earlier requests of the batch
 * wrote, then committed storage.
 *
 * <p>Writes are staged per request and merged into the batch's view only when the request succeeds
 * ({@link #requestSucceeded}); a failed request's writes are rolled back in the {@code WriteBatch}
 * and dropped here ({@link #requestFailed}), so the two never disagree.
 *
 * <p>Why the order of lookups is right: a request's puts are newer than its own range deletes (a
 * range delete removes the request's earlier puts in its range when it is staged), its range deletes
 * are newer than everything of earlier requests, and merging applies a request's range deletes to the
 * batch's puts before adding its puts.
 *
 * <p>Not thread-safe: writer thread only, one instance per batch.
 */
final class BatchOverlay {
  /** What {@link #get} found: a value, a key deleted in this batch, or nothing known here. */
  sealed interface Lookup {}

  record Found(byte[] value) implements Lookup {}

  enum Absent implements Lookup { INSTANCE }

  enum Unknown implements Lookup { INSTANCE }

  private record Range(byte[] from, byte[] toExclusive) {
    boolean covers(byte[] key) {
      return Arrays.compareUnsigned(from, key) <= 0 && Arrays.compareUnsigned(key, toExclusive) < 0;
    }
  }

  private static final class Layer {
    final Map<Column, TreeMap<byte[], byte[]>> puts = new EnumMap<>(Column.class);
    final Map<Column, List<Range>> ranges = new EnumMap<>(Column.class);

    TreeMap<byte[], byte[]> puts(Column c) {
      return puts.computeIfAbsent(c, k -> new TreeMap<>(Arrays::compareUnsigned));
    }

    List<Range> ranges(Column c) {
      return ranges.computeIfAbsent(c, k -> new ArrayList<>());
    }

    void deleteRange(Column c, Range r) {
      TreeMap<byte[], byte[]> p = puts.get(c);
      if (p != null) {
        p.subMap(r.from(), true, r.toExclusive(), false).clear();
      }
      ranges(c).add(r);
    }

    Lookup get(Column c, byte[] key) {
      TreeMap<byte[], byte[]> p = puts.get(c);
      byte[] v = p == null ? null : p.get(key);
      if (v != null) {
        return new Found(v);
      }
      for (Range r : ranges.getOrDefault(c, List.of())) {
        if (r.covers(key)) {
          return Absent.INSTANCE;
        }
      }
      return Unknown.INSTANCE;
    }

    boolean isEmpty() {
      return puts.isEmpty() && ranges.isEmpty();
    }
  }

  private final Layer batch = new Layer();
  private Layer request = new Layer();

  void put(Column c, byte[] key, byte[] value) {
    request.puts(c).put(key, value);
  }

  void deleteRange(Column c, byte[] from, byte[] toExclusive) {
    if (Arrays.compareUnsigned(from, toExclusive) < 0) { // an empty range deletes nothing (as in RocksDB)
      request.deleteRange(c, new Range(from, toExclusive));
    }
  }

  /** The key as of the batch so far (this request included); {@link Unknown} means: read committed storage. */
  Lookup get(Column c, byte[] key) {
    Lookup mine = request.get(c, key);
    return mine instanceof Unknown ? batch.get(c, key) : mine;
  }

  void requestSucceeded() {
    if (request.isEmpty()) {
      return;
    }
    request.ranges.forEach((c, rs) -> rs.forEach(r -> batch.deleteRange(c, r)));
    request.puts.forEach((c, p) -> batch.puts(c).putAll(p));
    request = new Layer();
  }

  void requestFailed() {
    if (!request.isEmpty()) {
      request = new Layer();
    }
  }
}
