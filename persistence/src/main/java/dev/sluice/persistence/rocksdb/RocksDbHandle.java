package dev.sluice.persistence.rocksdb;

import dev.sluice.persistence.store.Column;
import dev.sluice.persistence.store.KeyLayout;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.ByteBuffer;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.LRUCache;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WALRecoveryMode;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * INTERNAL API. The open RocksDB instance of a node: its column families ({@link Column}), the
 * {@link GroupCommitWriter} that is its only writer, and a close guard.
 *
 * <p>Lifecycle:
 * <pre>
 *   open() --> OPEN --close()--> CLOSED
 *               | ^                 ^
 *   reopen()    | | reopened        +-- reads hold the read lock; close() and reopen() take the
 *   (writer     v |                     write lock, so no native call ever runs on a freed handle
 *    thread) REOPENING                  (that would crash the JVM, not throw). A reopen that
 *               (reads fail fast)       fails leaves it REOPENING until a later one works.
 * </pre>
 *
 * <p>Thread-safe.
 */
final class RocksDbHandle implements AutoCloseable {

  /** A read against the open database; may throw RocksDB's checked exception. */
  @FunctionalInterface
  interface ReadAction<T> {
    T run(RocksDB db) throws RocksDBException;
  }

  /** Free bytes on the data volume (statvfs); replaced in tests. */
  @FunctionalInterface
  interface DiskSpace {
    long usableBytes() throws IOException;
  }

  /** One open RocksDB and its column family handles; replaced as a whole by {@link #reopen}. */
  private record Opened(RocksDB db, Map<Column, ColumnFamilyHandle> columns) {}

  /** What {@link #reopen} needs to open the same database again. */
  private record OpenOptions(DBOptions db, ColumnFamilyOptions cf) {}

  /** File descriptors a reopen must be able to get before it closes the database (count). */
  private static final int REOPEN_FD_HEADROOM = 64;

  private final RocksDbSettings settings;
  private final OpenOptions openOptions;
  private final DiskSpace diskSpace;
  /** Null while a failed {@link #reopen} left the database closed; guarded by {@link #lock}. */
  private volatile Opened opened;
  private final List<AutoCloseable> nativeResources;
  private final UUID diskUuid;
  private final GroupCommitWriter writer;
  /** Null when {@code sync} is off: unsynced writes promise nothing a mark could check. */
  private final AckHighWaterMark ackMark;
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private boolean closed;

  private RocksDbHandle(
      RocksDbSettings settings,
      OpenOptions openOptions,
      DiskSpace diskSpace,
      Opened opened,
      List<AutoCloseable> nativeResources,
      UUID diskUuid,
      AckHighWaterMark ackMark) {
    this.settings = settings;
    this.openOptions = openOptions;
    this.diskSpace = diskSpace;
    this.opened = opened;
    this.nativeResources = nativeResources;
    this.diskUuid = diskUuid;
    this.ackMark = ackMark;
    this.writer = new GroupCommitWriter(this, settings, ackMark);
  }

  /** The WAL sequence number every acknowledgement is covered by (-1 when sync is off); for tests. */
  long acknowledgedUpTo() {
    return ackMark == null ? -1 : ackMark.value();
  }

  /**
   * Opens (creating if missing) the database in {@code settings.dir()} with every column family.
   *
   * @throws RocksDbStorageException if it cannot be opened (e.g. locked by another node), was
   *     written by an incompatible layout version, or recovers less than was acknowledged (a
   *     damaged or cut write-ahead log, see {@link AckHighWaterMark})
   */
  static RocksDbHandle open(RocksDbSettings settings) {
    return open(settings, volumeOf(settings.dir()));
  }

  /** As {@link #open(RocksDbSettings)}, with free space measured by {@code diskSpace} (tests). */
  static RocksDbHandle open(RocksDbSettings settings, DiskSpace diskSpace) {
    RocksDB.loadLibrary();
    List<AutoCloseable> resources = new ArrayList<>();
    try {
      Files.createDirectories(settings.dir());
      LRUCache cache = track(resources, new LRUCache(settings.blockCacheSize()));
      BloomFilter bloom = track(resources, new BloomFilter(10));
      BlockBasedTableConfig table = new BlockBasedTableConfig()
          .setBlockCache(cache)
          .setFilterPolicy(bloom)
          .setCacheIndexAndFilterBlocks(true);
      ColumnFamilyOptions cfOptions = track(resources, new ColumnFamilyOptions()
          .setTableFormatConfig(table)
          .setWriteBufferSize(settings.writeBufferSize())
          .setCompressionType(CompressionType.LZ4_COMPRESSION));
      DBOptions dbOptions = track(resources, new DBOptions()
          .setCreateIfMissing(true)
          .setCreateMissingColumnFamilies(true)
          .setMaxBackgroundJobs(settings.maxBackgroundJobs())
          // Bounded, so the storage's file descriptors are known (reference.conf, max-open-files).
          .setMaxOpenFiles(settings.maxOpenFiles())
          // Stop replaying the WAL at the first bad record. That is right for a torn unacknowledged
          // tail (every acknowledged write was synced before it) and wrong anywhere else: the
          // acknowledgement mark below tells the two apart.
          .setWalRecoveryMode(WALRecoveryMode.PointInTimeRecovery)
          // Keep the replayed WALs instead of flushing them to SST files at open: if the mark
          // check refuses to start, the damaged log must still be there, untouched, for the
          // operator (and a second start must refuse too, not find a "repaired" shorter log).
          .setAvoidFlushDuringRecovery(true));

      OpenOptions openOptions = new OpenOptions(dbOptions, cfOptions);
      Opened opened = openDb(settings, openOptions);
      RocksDB db = opened.db();
      Map<Column, ColumnFamilyHandle> columns = opened.columns();
      UUID diskUuid;
      AckHighWaterMark mark = null;
      try {
        if (settings.sync()) {
          mark = AckHighWaterMark.open(settings.dir().resolve(AckHighWaterMark.FILE_NAME));
          checkNothingAcknowledgedIsMissing(settings, db, mark);
        }
        diskUuid = checkNodeKeys(db, columns.get(Column.DEFAULT));
        if (mark != null) {
          mark.advanceTo(db.getLatestSequenceNumber());
        }
      } catch (RuntimeException | RocksDBException e) {
        if (mark != null) {
          mark.close();
        }
        columns.values().forEach(ColumnFamilyHandle::close);
        db.close();
        throw e;
      }
      return new RocksDbHandle(settings, openOptions, diskSpace, opened, resources, diskUuid, mark);
    } catch (IOException | RocksDBException e) {
      closeAll(resources);
      throw new RocksDbStorageException("cannot open RocksDB in " + settings.dir().toAbsolutePath(), e);
    } catch (RuntimeException e) {
      closeAll(resources);
      throw e;
    }
  }

  private static Opened openDb(RocksDbSettings settings, OpenOptions options) throws RocksDBException {
    List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
    for (Column c : Column.values()) {
      descriptors.add(new ColumnFamilyDescriptor(c.cfNameBytes(), options.cf()));
    }
    List<ColumnFamilyHandle> handles = new ArrayList<>();
    RocksDB db = RocksDB.open(options.db(), settings.dir().toString(), descriptors, handles);
    Map<Column, ColumnFamilyHandle> columns = new EnumMap<>(Column.class);
    for (int i = 0; i < handles.size(); i++) {
      columns.put(Column.values()[i], handles.get(i));
    }
    return new Opened(db, columns);
  }

  private static DiskSpace volumeOf(Path dir) {
    return new VolumeSpace(dir);
  }

  /**
   * The usable space of the volume holding {@code dir}, asked once per group-commit batch. The
   * {@code FileStore} is looked up once and kept: {@code Files.getFileStore} reads the mount table on
   * every call (150-180 us on this project's 2-core machine, against 2-3 us for {@code getUsableSpace}
   * on a kept store, which is one {@code statvfs}), and profiles of a 3-node cluster showed the writer
   * threads parsing {@code /proc/self/mountinfo}. A failed call forgets the store, so the next one looks
   * the volume up again.
   */
  static final class VolumeSpace implements DiskSpace {
    private final Path dir;
    private volatile FileStore store;

    VolumeSpace(Path dir) {
      this.dir = dir;
    }

    @Override
    public long usableBytes() throws IOException {
      FileStore s = store;
      if (s == null) {
        s = Files.getFileStore(dir);
        store = s;
      }
      try {
        return s.getUsableSpace();
      } catch (IOException | RuntimeException e) {
        store = null;
        throw e;
      }
    }
  }

  /**
   * Closes RocksDB and opens it again in place: the one way to clear a background error from Java
   * (rocksdbjni has no {@code DB::Resume()}; RocksDB marks IO errors of flushes and compactions,
   * such as a failed open for lack of file descriptors, as fatal, and clears a "no space" error by
   * itself only once write-buffer-size is free). Recovery replays the write-ahead log as at a
   * restart: everything acknowledged was fsynced, and the acknowledgement mark is checked again.
   * Writer thread only, with nothing of the writer's in flight. Reads wait for it (write lock) and
   * fail fast while a failed reopen leaves the database closed.
   *
   * @throws RocksDbStorageException if it cannot reopen now (then a later call tries again)
   */
  void reopen() {
    checkFdHeadroom();
    lock.writeLock().lock();
    try {
      if (closed) {
        throw new RocksDbStorageException("RocksDB storage is closed");
      }
      Opened old = opened;
      if (old != null) {
        opened = null;
        old.columns().values().forEach(ColumnFamilyHandle::close);
        try {
          old.db().closeE();
        } catch (RocksDBException e) {
          // Expected while a background error is set; everything acknowledged is in the synced WAL.
        }
      }
      Opened fresh;
      try {
        fresh = openDb(settings, openOptions);
      } catch (RocksDBException e) {
        throw new RocksDbStorageException("cannot reopen RocksDB in " + settings.dir().toAbsolutePath() + ": "
            + e.getMessage(), e);
      }
      if (ackMark != null && fresh.db().getLatestSequenceNumber() < ackMark.value()) {
        long recovered = fresh.db().getLatestSequenceNumber();
        fresh.columns().values().forEach(ColumnFamilyHandle::close);
        fresh.db().close();
        throw new RocksDbStorageException("reopened RocksDB recovers writes up to sequence number " + recovered
            + ", but writes up to " + ackMark.value() + " were acknowledged; refusing to go on");
      }
      opened = fresh;
    } finally {
      lock.writeLock().unlock();
    }
  }

  /**
   * A reopen needs file descriptors (the WAL, MANIFEST, LOG, OPTIONS files and SSTs); closing the
   * database while none are free would leave it closed, with reads failing too. So first take a few
   * and give them back.
   */
  private void checkFdHeadroom() {
    Path probe = settings.dir().resolve("CURRENT");
    List<FileChannel> taken = new ArrayList<>();
    try {
      for (int i = 0; i < REOPEN_FD_HEADROOM; i++) {
        taken.add(FileChannel.open(probe, StandardOpenOption.READ));
      }
    } catch (IOException e) {
      throw new RocksDbStorageException("not reopening RocksDB yet: cannot open " + REOPEN_FD_HEADROOM
          + " files (" + e.getMessage() + ")", e);
    } finally {
      for (FileChannel c : taken) {
        try {
          c.close();
        } catch (IOException ignored) {
          // read-only probe descriptors; nothing to flush
        }
      }
    }
  }

  /** Free bytes on the data volume. */
  long usableBytes() throws IOException {
    return diskSpace.usableBytes();
  }

  /**
   * Refuses to start on a database that recovered fewer writes than were acknowledged. Runs before
   * anything is written, so a refused start changes nothing on disk.
   */
  private static void checkNothingAcknowledgedIsMissing(RocksDbSettings settings, RocksDB db, AckHighWaterMark mark) {
    long recovered = db.getLatestSequenceNumber();
    if (mark.isUnset() || recovered >= mark.value()) {
      return;
    }
    Path dir = settings.dir().toAbsolutePath();
    throw new RocksDbStorageException("refusing to start: the RocksDB write-ahead log in " + dir
        + " recovers writes up to sequence number " + recovered + ", but writes up to " + mark.value()
        + " were acknowledged to clients (each was fsynced before its acknowledgement), so "
        + (mark.value() - recovered) + " sequence numbers of acknowledged data are missing. The log was"
        + " damaged or cut after it was written (write-ahead logs here: " + walFiles(dir) + "; RocksDB's"
        + " own LOG file in that directory names the bad record). Starting would serve a shorter history"
        + " and hand out offsets that clients already hold for other bytes. What to do: keep the"
        + " directory as it is, and restore it from a backup; or, if losing every stream on this node is"
        + " acceptable, move it aside and start with an empty one. The damaged log has been left as it was.");
  }

  private static String walFiles(Path dir) {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.getFileName().toString().endsWith(".log"))
          .sorted()
          .map(p -> {
            try {
              return p.getFileName() + " (" + Files.size(p) + " bytes)";
            } catch (IOException e) {
              return p.getFileName() + " (size unknown)";
            }
          })
          .collect(Collectors.joining(", ", "[", "]"));
    } catch (IOException e) {
      return "(cannot list: " + e.getMessage() + ")";
    }
  }

  /**
   * A new database gets the current format version and a random disk UUID (the BookKeeper "cookie"
   * that will let a replica notice it lost its disk, {@code persistence/design-notes.md} §7); an
   * existing one must carry the version this code understands, or the one version before it, which
   * is upgraded in place ({@link KeyLayout#UPGRADABLE_FORMAT_VERSION}).
   */
  private static UUID checkNodeKeys(RocksDB db, ColumnFamilyHandle cf) throws RocksDBException {
    byte[] version = db.get(cf, KeyLayout.NODE_FORMAT_VERSION);
    if (version == null) {
      UUID uuid = UUID.randomUUID();
      try (WriteBatch batch = new WriteBatch(); WriteOptions sync = new WriteOptions().setSync(true)) {
        batch.put(cf, KeyLayout.NODE_FORMAT_VERSION,
            ByteBuffer.allocate(4).putInt(KeyLayout.FORMAT_VERSION).array());
        batch.put(cf, KeyLayout.NODE_DISK_UUID, ByteBuffer.allocate(16)
            .putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits()).array());
        db.write(sync, batch);
      }
      return uuid;
    }
    int found = version.length == 4 ? ByteBuffer.wrap(version).getInt() : -1;
    if (found == KeyLayout.UPGRADABLE_FORMAT_VERSION) {
      // Everything the newer version adds is already there (the repl column family was created by
      // this open) or written on first use, so only the version number changes. Recording it keeps
      // an older binary from ever mistaking this database for one it fully understands.
      try (WriteOptions sync = new WriteOptions().setSync(true)) {
        db.put(cf, sync, KeyLayout.NODE_FORMAT_VERSION, ByteBuffer.allocate(4).putInt(KeyLayout.FORMAT_VERSION).array());
      }
      found = KeyLayout.FORMAT_VERSION;
    }
    if (found != KeyLayout.FORMAT_VERSION) {
      throw new RocksDbStorageException("storage format version " + found + " is not supported (expected "
          + KeyLayout.FORMAT_VERSION + "); refusing to open rather than misread it");
    }
    byte[] uuid = db.get(cf, KeyLayout.NODE_DISK_UUID);
    if (uuid == null || uuid.length != 16) {
      throw new RocksDbStorageException("node/disk-uuid is missing or malformed");
    }
    ByteBuffer b = ByteBuffer.wrap(uuid);
    return new UUID(b.getLong(), b.getLong());
  }

  RocksDbSettings settings() {
    return settings;
  }

  UUID diskUuid() {
    return diskUuid;
  }

  GroupCommitWriter writer() {
    return writer;
  }

  /**
   * The raw database; callers outside the writer thread must go through {@link #read}.
   *
   * @throws RocksDbStorageException while a failed {@link #reopen} left it closed
   */
  RocksDB db() {
    return current().db();
  }

  ColumnFamilyHandle column(Column c) {
    return current().columns().get(c);
  }

  private Opened current() {
    Opened o = opened;
    if (o == null) {
      throw new RocksDbStorageException("RocksDB is being reopened after a storage failure; retry");
    }
    return o;
  }

  /**
   * Runs a read while the database is guaranteed open.
   *
   * @throws RocksDbStorageException if closed or if RocksDB fails
   */
  <T> T read(ReadAction<T> action) {
    lock.readLock().lock();
    try {
      if (closed) {
        throw new RocksDbStorageException("RocksDB storage is closed");
      }
      return action.run(current().db());
    } catch (RocksDBException e) {
      throw new RocksDbStorageException("RocksDB read failed: " + e.getMessage(), e);
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * Runs a short read on the calling thread if that needs no waiting: null when the database is
   * being closed or reopened (the caller then reads on its IO executor, which may block), else the
   * read's result or failure as a completed future. For recovery's point reads of streams with
   * nothing queued: on a thread of the actor dispatcher they save two thread hand-offs each.
   */
  <T> CompletableFuture<T> readNow(ReadAction<T> action) {
    if (!lock.readLock().tryLock()) {
      return null;
    }
    try {
      if (closed) {
        return CompletableFuture.failedFuture(new RocksDbStorageException("RocksDB storage is closed"));
      }
      return CompletableFuture.completedFuture(action.run(current().db()));
    } catch (RocksDBException e) {
      return CompletableFuture.failedFuture(
          new RocksDbStorageException("RocksDB read failed: " + e.getMessage(), e));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * Iterates {@code [lower, upperExclusive)} of one column family while the database is guaranteed
   * open; see {@link KeyRangeScan}.
   *
   * @throws RocksDbStorageException if closed or if RocksDB fails
   */
  void scan(
      Column c, byte[] lower, byte[] upperExclusive, KeyRangeScan.Direction direction, KeyRangeScan.Visitor visitor) {
    read(db -> {
      KeyRangeScan.scan(db, column(c), lower, upperExclusive, direction, visitor);
      return null;
    });
  }

  boolean isClosed() {
    lock.readLock().lock();
    try {
      return closed;
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * Whether the database is open now: not closed, and not left closed by a failed {@link #reopen}.
   * Never waits for a reopen in progress (that counts as not open).
   */
  boolean isOpen() {
    if (!lock.readLock().tryLock()) {
      return false;
    }
    try {
      return !closed && opened != null;
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * Commits every queued write, stops the writer, then closes the database once in-flight reads
   * are done. Idempotent.
   */
  @Override
  public synchronized void close() {
    if (isClosed()) {
      return;
    }
    writer.close();
    if (ackMark != null) {
      ackMark.close();
    }
    lock.writeLock().lock();
    try {
      closed = true;
      RocksDBException failure = null;
      Opened o = opened;
      opened = null;
      if (o != null) {
        try {
          o.db().syncWal();
        } catch (RocksDBException e) {
          failure = e;
        }
        o.columns().values().forEach(ColumnFamilyHandle::close);
        try {
          o.db().closeE();
        } catch (RocksDBException e) {
          failure = failure == null ? e : failure;
        }
      }
      closeAll(nativeResources);
      if (failure != null) {
        throw new RocksDbStorageException("closing RocksDB failed", failure);
      }
    } finally {
      lock.writeLock().unlock();
    }
  }

  private static <T extends AutoCloseable> T track(List<AutoCloseable> resources, T resource) {
    resources.add(resource);
    return resource;
  }

  private static void closeAll(List<AutoCloseable> resources) {
    for (int i = resources.size() - 1; i >= 0; i--) {
      try {
        resources.get(i).close();
      } catch (Exception ignored) {
        // Native option objects; closing them cannot fail in a way we could act on.
      }
    }
  }
}
