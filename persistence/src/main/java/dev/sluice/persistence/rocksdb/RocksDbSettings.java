package dev.sluice.persistence.rocksdb;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Settings of the node's RocksDB storage, read once from {@code sluice.persistence.rocksdb} (see
 * the commented {@code reference.conf} of this module for units and defaults). Immutable.
 *
 * @param dir database directory; RocksDB locks it, so one node (ActorSystem) per directory
 * @param sync fsync the WAL before acknowledging a write; off only for throwaway tests
 * @param maxBatchRequests most write requests folded into one group-commit batch
 * @param maxBatchBytes stop adding requests to a batch once their size reaches this (bytes)
 * @param maxPendingRequests queued write requests beyond which writes fail fast
 * @param blockCacheSize shared LRU block cache (bytes)
 * @param writeBufferSize memtable size per column family (bytes)
 * @param maxBackgroundJobs RocksDB flush and compaction threads
 * @param minFreeSpace free bytes on the data volume kept for RocksDB's own work; writes that would
 *     leave less fail fast with {@code StorageFullException}
 * @param maxOpenFiles most SST files RocksDB keeps open (its {@code max_open_files}); bounds the
 *     storage's file descriptors
 * @param recoveryProbeInterval while writes are refused, how often the storage checks whether they
 *     can succeed again
 */
public record RocksDbSettings(
    Path dir,
    boolean sync,
    int maxBatchRequests,
    long maxBatchBytes,
    int maxPendingRequests,
    long blockCacheSize,
    long writeBufferSize,
    int maxBackgroundJobs,
    long minFreeSpace,
    int maxOpenFiles,
    Duration recoveryProbeInterval) {

  public static final String CONFIG_PATH = "sluice.persistence.rocksdb";

  /** Reads and validates {@code sluice.persistence.rocksdb} from the root config. */
  public static RocksDbSettings fromConfig(Config root) {
    Config c = root.getConfig(CONFIG_PATH);
    String dir = c.getString("dir");
    if (dir.isBlank()) {
      throw new IllegalArgumentException(CONFIG_PATH + ".dir must not be empty");
    }
    return new RocksDbSettings(
        Path.of(dir),
        c.getBoolean("sync"),
        positiveInt(c, "max-batch-requests"),
        positiveBytes(c, "max-batch-bytes"),
        positiveInt(c, "max-pending-requests"),
        positiveBytes(c, "block-cache-size"),
        positiveBytes(c, "write-buffer-size"),
        positiveInt(c, "max-background-jobs"),
        nonNegativeBytes(c, "min-free-space"),
        positiveInt(c, "max-open-files"),
        positiveDuration(c, "recovery-probe-interval"));
  }

  /** The same settings with another directory (tests, tools). */
  public RocksDbSettings withDir(Path newDir) {
    return new RocksDbSettings(
        newDir, sync, maxBatchRequests, maxBatchBytes, maxPendingRequests, blockCacheSize,
        writeBufferSize, maxBackgroundJobs, minFreeSpace, maxOpenFiles, recoveryProbeInterval);
  }

  /** The same settings with another free-space reserve (tests). */
  public RocksDbSettings withMinFreeSpace(long bytes) {
    return new RocksDbSettings(
        dir, sync, maxBatchRequests, maxBatchBytes, maxPendingRequests, blockCacheSize,
        writeBufferSize, maxBackgroundJobs, bytes, maxOpenFiles, recoveryProbeInterval);
  }

  private static int positiveInt(Config c, String key) {
    int v = c.getInt(key);
    if (v <= 0) {
      throw new IllegalArgumentException(CONFIG_PATH + "." + key + " must be > 0, was " + v);
    }
    return v;
  }

  private static long nonNegativeBytes(Config c, String key) {
    long v = c.getBytes(key);
    if (v < 0) {
      throw new IllegalArgumentException(CONFIG_PATH + "." + key + " must be >= 0, was " + v);
    }
    return v;
  }

  private static Duration positiveDuration(Config c, String key) {
    Duration v = c.getDuration(key);
    if (v.isNegative() || v.isZero()) {
      throw new IllegalArgumentException(CONFIG_PATH + "." + key + " must be > 0, was " + v);
    }
    return v;
  }

  private static long positiveBytes(Config c, String key) {
    long v = c.getBytes(key);
    if (v <= 0) {
      throw new IllegalArgumentException(CONFIG_PATH + "." + key + " must be > 0, was " + v);
    }
    return v;
  }
}
