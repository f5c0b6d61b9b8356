package dev.sluice.persistence.store;

import java.nio.charset.StandardCharsets;

/**
 * INTERNAL API. The column families of the node's RocksDB instance; see
 * {@link dev.sluice.persistence.store.KeyLayout} for what each one holds.
 *
 * <p>The set is fixed at open time: RocksDB refuses to open a database without naming every
 * column family it has, so adding one later is an additive change (created if missing), but
 * removing one needs an explicit drop.
 */
public enum Column {
  /** RocksDB's mandatory column family; holds only the {@code node/*} keys. */
  DEFAULT("default", 0),
  LOG("log", 1),
  META("meta", 2),
  SNAP("snap", 3),
  DATA("data", 4),
  /**
   * The replica's own log and per-stream replica meta ({@link KeyLayout}); written only by the
   * replica store, never by a {@link WriteOp} (an entry's payload must not touch the log it is in).
   */
  REPL("repl", 5);

  private final String cfName;
  private final int id;

  Column(String cfName, int id) {
    this.cfName = cfName;
    this.id = id;
  }

  /**
   * The column's number in encoded {@link StreamWrite}s. Fixed per column, never the ordinal, so
   * reordering this enum cannot change what an encoded write means.
   */
  public int id() {
    return id;
  }

  /** @throws CorruptRecordException if no column has this id */
  public static Column ofId(int id) {
    for (Column c : values()) {
      if (c.id == id) {
        return c;
      }
    }
    throw new CorruptRecordException("unknown column id " + id);
  }

  public String cfName() {
    return cfName;
  }

  public byte[] cfNameBytes() {
    return cfName.getBytes(StandardCharsets.UTF_8);
  }
}
