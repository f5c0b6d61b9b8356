package dev.sluice.persistence.store;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The byte layout of every key this module writes to the node's single RocksDB instance, and of
 * the values' framing. This class is the one place keys are built; {@code persistence/design-notes.md}
 * explains the choices. All integers are big-endian so that RocksDB's bytewise comparator orders
 * keys numerically; sequence numbers and positions are never negative, so their signed and
 * unsigned orders agree.
 *
 * <pre>
 * column family  key                                               value
 * -------------  ------------------------------------------------  ------------------------------------------
 * default        "node/format-version" (ASCII)                     u32 {@value #FORMAT_VERSION}
 *                "node/disk-uuid" (ASCII)                          16 bytes, random at creation
 *                "node/replica" (ASCII)                            ReplicaMembership: u8 fmt=1, u16 ordinal,
 *                                                                   u8 replacedDisk, u32 crc32c
 *                                                                   (written once, when the disk first serves
 *                                                                   as a replica)
 * log            [pg u16][pidLen u16][pid utf8][seqNr u64]         LogRecord: u8 fmt=1, u64 epoch,
 *                                                                   u16 len + writerUuid utf8,
 *                                                                   i32 serializerId, u16 len + manifest,
 *                                                                   u32 len + serialized PersistentRepr,
 *                                                                   u32 crc32c(key ++ preceding bytes)
 * meta           [pg u16][pidLen u16][pid utf8]                    MetaRecord: u8 fmt=1, u64 promisedEpoch,
 *                                                                   u64 tailSeq, u64 tailEpoch, u64 lac,
 *                                                                   u64 deletedTo, u64 highestEver, u32 crc32c
 * snap           [pg u16][pidLen u16][pid utf8][seqNr u64]         SnapshotRecord: u8 fmt=1, u64 epoch,
 *                                                                   u64 timestamp, blob, u8 hasMeta [, blob],
 *                                                                   u32 crc32c   (blob = i32 serializerId,
 *                                                                   u16 len + manifest, u32 len + bytes)
 * data           [storeId u64][position u64]                       raw unit bytes (RocksDB block checksums)
 * repl           [pg u16][pidLen u16][pid utf8]                    ReplicaMetaRecord: u8 fmt=1, u16 replica,
 *                  (the stream's replica meta)                      u16 len + diskUuid utf8, u64 promised,
 *                                                                   u64 tailSeq, u64 tailEpoch, u64 lac,
 *                                                                   u8 limbo, i32 limboHeard, u64 limboTarget,
 *                                                                   u64 limboTargetEpoch, u64 materializedUpTo,
 *                                                                   u32 crc32c
 *                [pg u16][pidLen u16][pid utf8][entrySeq u64]      ReplEntryRecord: u8 fmt=1, u64 epoch,
 *                  (one replicated log entry)                       u8 hasProducer [, u16 len + producerId utf8,
 *                                                                   u64 producerEpoch, u64 producerSeq],
 *                                                                   u32 len + payload (an encoded StreamWrite),
 *                                                                   u32 crc32c
 * </pre>
 *
 * <p>Invariants:
 * <ul>
 *   <li>{@code pidLen} is the UTF-8 length of the persistenceId, so no id's keys are a prefix range
 *       of another's ({@code "a"} vs {@code "a:b"}), which string-concatenated layouts get wrong.
 *   <li>{@code pg} (placement group) is 0 until placement groups exist ({@code design-notes.md} §7);
 *       it leads every per-stream key so a group can be range-deleted or scanned alone.
 *   <li>{@code log}, {@code meta} (and the {@code data} of {@code IndexedData} events) change only in
 *       one {@code WriteBatch}, so the tail in {@code meta} always matches the events in {@code log}.
 *   <li>In {@code repl} a stream's meta key is the prefix of its entry keys, so it sorts right before
 *       them and the stream's whole replica state is one contiguous key range; entry scans start at
 *       entrySeq 0 and so never see it. Entry sequence numbers are the replicated log's own (dense,
 *       from 1), not Pekko's.
 *   <li>{@code log}, {@code meta} and {@code data} of a replicated stream hold exactly the committed
 *       entries' payloads up to {@code materializedUpTo} (never above {@code lac}), written in the same
 *       batch as the replica meta that records it.
 *   <li>The upper bound of a whole stream's or store's range is the key whose last field is
 *       {@code 0x8000000000000000}, which sorts above every non-negative number (see
 *       {@link #seqKeyUpperBound}); no {@code +1} overflow at {@code Long.MAX_VALUE}.
 * </ul>
 *
 * <p>Thread-safe: stateless static functions.
 */
public final class KeyLayout {
  /**
   * Version of this whole layout, stored under {@link #NODE_FORMAT_VERSION}; bumped on any change.
   * 2 added the {@code repl} column family and {@code node/replica}.
   */
  public static final int FORMAT_VERSION = 2;

  /**
   * The older version a database may still have; opening it upgrades it in place. Version 1 differs
   * only by lacking what version 2 added (an empty column family, created at open, and a node key
   * written on first use), so the upgrade rewrites nothing but the version number.
   */
  public static final int UPGRADABLE_FORMAT_VERSION = 1;

  /** The only placement group until placement groups are introduced. */
  public static final int DEFAULT_PLACEMENT_GROUP = 0;

  public static final byte[] NODE_FORMAT_VERSION = ascii("node/format-version");
  public static final byte[] NODE_DISK_UUID = ascii("node/disk-uuid");
  /**
   * Written (8 bytes, a timestamp) only by the writer's recovery probe after a storage failure: a
   * synced write that succeeds proves writes work again. Never read; older code ignores it.
   */
  public static final byte[] NODE_WRITE_PROBE = ascii("node/write-probe");

  /** This disk's membership in the replica set ({@code ReplicaMembership}); absent until it first serves as one. */
  public static final byte[] NODE_REPLICA = ascii("node/replica");

  /** Longest persistenceId in UTF-8 bytes that fits the {@code u16} length prefix. */
  public static final int MAX_PID_BYTES = 0xFFFF;

  private static final int U16 = 2;
  private static final int U64 = 8;

  private KeyLayout() {}

  /** {@code meta} key: {@code [pg][pidLen][pid]}. */
  public static byte[] streamKey(int placementGroup, String persistenceId) {
    byte[] pid = pidBytes(persistenceId);
    return streamPrefix(placementGroup, pid, 0).array();
  }

  /** {@code log} and {@code snap} key: {@code [pg][pidLen][pid][seqNr]}. */
  public static byte[] seqKey(int placementGroup, String persistenceId, long seqNr) {
    requireNonNegative(seqNr, "seqNr");
    byte[] pid = pidBytes(persistenceId);
    return streamPrefix(placementGroup, pid, U64).putLong(seqNr).array();
  }

  /**
   * Exclusive upper bound for {@code log}/{@code snap} keys of one stream with
   * {@code seqNr <= toSeqNrInclusive}. For {@code Long.MAX_VALUE} this is the end of the stream's
   * whole range ({@code 0x8000000000000000} sorts above every valid seqNr).
   */
  public static byte[] seqKeyUpperBound(int placementGroup, String persistenceId, long toSeqNrInclusive) {
    requireNonNegative(toSeqNrInclusive, "toSeqNrInclusive");
    byte[] pid = pidBytes(persistenceId);
    long next = toSeqNrInclusive == Long.MAX_VALUE ? Long.MIN_VALUE : toSeqNrInclusive + 1;
    return streamPrefix(placementGroup, pid, U64).putLong(next).array();
  }

  /** {@code repl} key of a stream's replica meta: the stream's prefix, {@code [pg][pidLen][pid]}. */
  public static byte[] replMetaKey(int placementGroup, String persistenceId) {
    return streamKey(placementGroup, persistenceId);
  }

  /** {@code repl} key of one log entry: {@code [pg][pidLen][pid][entrySeq]}. */
  public static byte[] replEntryKey(int placementGroup, String persistenceId, long entrySeq) {
    return seqKey(placementGroup, persistenceId, entrySeq);
  }

  /** {@code data} key: {@code [storeId][position]}. */
  public static byte[] dataKey(long storeId, long position) {
    requireNonNegative(position, "position");
    return ByteBuffer.allocate(2 * U64).putLong(storeId).putLong(position).array();
  }

  /** Exclusive upper bound of {@code data} keys of {@code storeId} with a position below {@code toPos}. */
  public static byte[] dataKeyUpperBound(long storeId, long toPosExclusive) {
    requireNonNegative(toPosExclusive, "toPosExclusive");
    return ByteBuffer.allocate(2 * U64).putLong(storeId).putLong(toPosExclusive).array();
  }

  /** Exclusive upper bound of every {@code data} key of {@code storeId}. */
  public static byte[] dataStoreEnd(long storeId) {
    return ByteBuffer.allocate(2 * U64).putLong(storeId).putLong(Long.MIN_VALUE).array();
  }

  /** The seqNr of a {@code log} or {@code snap} key. */
  public static long seqNrOf(byte[] seqKey) {
    return ByteBuffer.wrap(seqKey, seqKey.length - U64, U64).getLong();
  }

  /** The position of a {@code data} key. */
  public static long positionOf(byte[] dataKey) {
    return ByteBuffer.wrap(dataKey, U64, U64).getLong();
  }

  /**
   * UTF-8 bytes of a persistenceId, checked to fit the length prefix.
   *
   * @throws IllegalArgumentException if it is empty or longer than {@link #MAX_PID_BYTES} bytes
   */
  public static byte[] pidBytes(String persistenceId) {
    byte[] pid = persistenceId.getBytes(StandardCharsets.UTF_8);
    if (pid.length == 0 || pid.length > MAX_PID_BYTES) {
      throw new IllegalArgumentException(
          "persistenceId must be 1.." + MAX_PID_BYTES + " UTF-8 bytes, was " + pid.length);
    }
    return pid;
  }

  private static ByteBuffer streamPrefix(int placementGroup, byte[] pid, int extra) {
    if (placementGroup < 0 || placementGroup > 0xFFFF) {
      throw new IllegalArgumentException("placement group must be 0..65535, was " + placementGroup);
    }
    ByteBuffer b = ByteBuffer.allocate(U16 + U16 + pid.length + extra);
    b.putShort((short) placementGroup).putShort((short) pid.length).put(pid);
    return b;
  }

  private static void requireNonNegative(long v, String what) {
    if (v < 0) {
      throw new IllegalArgumentException(what + " must be >= 0, was " + v);
    }
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
