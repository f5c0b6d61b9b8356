package dev.sluice.persistence.rocksdb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.spi.StorageFullException;
import dev.sluice.persistence.store.Column;
import dev.sluice.persistence.store.KeyLayout;
import dev.sluice.persistence.store.StreamKey;
import dev.sluice.persistence.store.StreamWrite;
import dev.sluice.persistence.store.WriteOp;
import dev.sluice.persistence.support.TestStorage;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The free-space reserve and the write gate, with the volume's free space faked: a write that would
 * eat into {@code min-free-space} fails with {@link StorageFullException} and stores nothing, later
 * writes fail at submission (already failed when {@code submit} returns), barriers and reads go on,
 * and writes succeed again, with no reopen or restart, as soon as space is free. Before the reserve
 * a full disk surfaced only as RocksDB's own "no space" error, which blocked every write until
 * RocksDB found 32 MiB free (measured: minutes).
 */
class StorageFullTest {
  private static final long MIB = 1 << 20;
  private static final long RESERVE = 64 * MIB;
  private final AtomicLong free = new AtomicLong(1024 * MIB);
  /** While set, measuring free space throws (a volume that went away, a broken mount). */
  private final java.util.concurrent.atomic.AtomicInteger statFailures = new java.util.concurrent.atomic.AtomicInteger();
  private Path dir;
  private RocksDbHandle handle;

  @BeforeEach
  void open() {
    dir = TestStorage.newDir("storage-full");
    handle = RocksDbHandle.open(TestStorage.settings(dir).withMinFreeSpace(RESERVE), () -> {
      if (statFailures.get() > 0) {
        statFailures.decrementAndGet();
        throw new java.io.UncheckedIOException(new java.io.IOException("statvfs failed"));
      }
      return free.get();
    });
  }

  @AfterEach
  void close() {
    handle.close();
    TestStorage.deleteRecursively(dir);
  }

  private CompletableFuture<Void> put(long i) {
    byte[] key = KeyLayout.dataKey(1, i);
    byte[] value = ByteBuffer.allocate(8).putLong(i).array();
    return handle.writer().submit(List.of(new StreamWrite(StreamKey.of("s"), WriteOp.put(Column.DATA, key, value))));
  }

  private byte[] get(long i) {
    return handle.read(db -> db.get(handle.column(Column.DATA), KeyLayout.dataKey(1, i)));
  }

  private static Throwable failure(CompletableFuture<Void> f) throws Exception {
    ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
    return e.getCause();
  }

  @Test
  void aWriteThatWouldEatIntoTheReserveFailsAsStorageFullAndStoresNothing() throws Exception {
    put(1).get(10, TimeUnit.SECONDS);

    free.set(RESERVE + 16); // less than the write needs twice (log, then its flush)
    assertInstanceOf(StorageFullException.class, failure(put(2)));
    assertNull(get(2), "nothing of the refused write was stored");
    assertArrayEquals(ByteBuffer.allocate(8).putLong(1).array(), get(1), "reads go on");
  }

  @Test
  void whileFullWritesFailAtSubmissionAndBarriersStillComplete() throws Exception {
    free.set(RESERVE - 1);
    assertInstanceOf(StorageFullException.class, failure(put(1)));
    assertTrue(handle.writer().writeBlocker().orElseThrow() instanceof StorageFullException);

    CompletableFuture<Void> refused = put(2);
    assertTrue(refused.isCompletedExceptionally(), "refused before queueing, not after a batch");
    assertInstanceOf(StorageFullException.class, failure(refused));
    handle.writer().barrier().get(10, TimeUnit.SECONDS);
  }

  @Test
  void writesResumeByThemselvesAsSoonAsSpaceIsFree() throws Exception {
    free.set(RESERVE - 1);
    assertInstanceOf(StorageFullException.class, failure(put(1)));

    free.set(RESERVE + 256 * MIB);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (handle.writer().writeBlocker().isPresent()) {
      assertTrue(System.nanoTime() < deadline, "writes were accepted again within 5 s of space being freed");
      Thread.onSpinWait();
    }
    put(3).get(10, TimeUnit.SECONDS);
    assertArrayEquals(ByteBuffer.allocate(8).putLong(3).array(), get(3));
  }

  @Test
  void aProbeThatFailsDoesNotStopTheWriter() throws Exception {
    free.set(RESERVE - 1);
    assertInstanceOf(StorageFullException.class, failure(put(1)));
    statFailures.set(1);
    free.set(RESERVE + 256 * MIB);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (statFailures.get() > 0 || handle.writer().writeBlocker().isPresent()) {
      assertTrue(System.nanoTime() < deadline, "the writer probed past the failures and accepted writes again");
      Thread.onSpinWait();
    }
    put(2).get(10, TimeUnit.SECONDS);
  }

  @Test
  void aReopenKeepsEverythingAcknowledgedAndReadsWork() throws Exception {
    for (long i = 0; i < 100; i++) {
      put(i).get(10, TimeUnit.SECONDS);
    }
    handle.reopen();
    for (long i = 0; i < 100; i++) {
      assertArrayEquals(ByteBuffer.allocate(8).putLong(i).array(), get(i), "key " + i + " after reopen");
    }
    put(100).get(10, TimeUnit.SECONDS);
    assertArrayEquals(ByteBuffer.allocate(8).putLong(100).array(), get(100));
  }
}
