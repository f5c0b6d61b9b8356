/**
 * Sluice core: pure types and protocol rules. No Pekko, no RocksDB, no IO, no clocks.
 *
 * <ul>
 *   <li>{@code protocol} - wire-level value types: offsets, content types, header names, producer claims.
 *   <li>{@code model} - the persisted stream state and its events.
 *   <li>{@code rules} - {@code decide}/{@code evolve}: every PROTOCOL.md rule as a pure function.
 *   <li>{@code error} - the closed set of protocol rejections ({@link dev.sluice.core.error.ErrorCode}).
 *   <li>{@code spi} - ports implemented by other modules (the durable data store).
 * </ul>
 */
package dev.sluice.core;
