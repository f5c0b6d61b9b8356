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
  DEFAULT("default"),
  LOG("log"),
  META("meta"),
  SNAP("snap"),
  DATA("data");

  private final String cfName;

  Column(String cfName) {
    this.cfName = cfName;
  }

  public String cfName() {
    return cfName;
  }

  public byte[] cfNameBytes() {
    return cfName.getBytes(StandardCharsets.UTF_8);
  }
}
