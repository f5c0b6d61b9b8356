package dev.sluice.persistence.rocksdb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.persistence.store.Column;
import dev.sluice.persistence.store.KeyLayout;
import dev.sluice.persistence.store.StreamKey;
import dev.sluice.persistence.store.StreamWrite;
import dev.sluice.persistence.store.WriteOp;
import dev.sluice.persistence.support.TestStorage;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A damaged write-ahead log must never be taken for a shorter, healthy one. Every acknowledged
 * write was fsynced, so the only damage recovery may drop silently is a torn record past the last
 * acknowledgement; anything else (a flipped byte in the middle, a tail cut below acknowledged data)
 * must stop the node at open with an error that says what was found, and keep stopping it.
 *
 * <p>Each test writes {@value #WRITES} acknowledged records (one group commit each, so the WAL holds
 * many records), closes the database cleanly (the WAL is kept: RocksDB only flushes memtables on
 * close when the WAL is off), damages the newest {@code *.log} and reopens.
 */
class WalDamageTest {
  private static final int WRITES = 600;
  private static final int VALUE_BYTES = 512;
  private Path dir;

  @BeforeEach
  void newDir() {
    dir = TestStorage.newDir("wal-damage");
  }

  @AfterEach
  void deleteDir() {
    TestStorage.deleteRecursively(dir);
  }

  private static byte[] key(long i) {
    return KeyLayout.dataKey(7, i);
  }

  private static byte[] value(long i) {
    byte[] v = new byte[VALUE_BYTES];
    new Random(i).nextBytes(v);
    return v;
  }

  private static List<StreamWrite> put(long i) {
    return List.of(new StreamWrite(StreamKey.of("wal"), WriteOp.put(Column.DATA, key(i), value(i))));
  }

  /** Writes {@link #WRITES} records, each acknowledged on its own, and closes the database. */
  private void writeAcknowledgedAndClose() throws Exception {
    try (RocksDbHandle h = RocksDbHandle.open(TestStorage.settings(dir))) {
      for (int i = 0; i < WRITES; i++) {
        long n = i;
        CompletableFuture<Void> ack = h.writer().submit(put(n));
        ack.get(10, TimeUnit.SECONDS);
      }
    }
  }

  private Path newestWal() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      Path wal = files.filter(p -> p.getFileName().toString().endsWith(".log"))
          .max(Comparator.comparing(p -> p.getFileName().toString()))
          .orElseThrow(() -> new AssertionError("no *.log in " + dir));
      // Precondition: the acknowledged records really are (only) in this WAL, or the test is vacuous.
      assertTrue(Files.size(wal) > (long) WRITES * VALUE_BYTES, "WAL " + wal + " is " + Files.size(wal) + " bytes");
      return wal;
    }
  }

  private void assertEveryAcknowledgedWriteReadsBack(RocksDbHandle h) {
    for (int i = 0; i < WRITES; i++) {
      byte[] k = key(i);
      assertArrayEquals(value(i), h.read(db -> db.get(h.column(Column.DATA), k)), "record " + i);
    }
  }

  private void assertRefusesToOpen(String expectedWords) {
    RocksDbStorageException e =
        assertThrows(RocksDbStorageException.class, () -> RocksDbHandle.open(TestStorage.settings(dir)));
    String message = e.getMessage();
    assertTrue(message.contains(expectedWords), message);
    assertTrue(message.contains(dir.toAbsolutePath().toString()), "names the directory: " + message);
  }

  @Test
  void aFlippedRunOfBytesInTheMiddleOfTheWalRefusesToOpenAndKeepsRefusing() throws Exception {
    writeAcknowledgedAndClose();
    Path wal = newestWal();
    try (RandomAccessFile f = new RandomAccessFile(wal.toFile(), "rw")) {
      long middle = f.length() / 2;
      byte[] run = new byte[16];
      f.seek(middle);
      f.readFully(run);
      for (int i = 0; i < run.length; i++) {
        run[i] = (byte) ~run[i];
      }
      f.seek(middle);
      f.write(run);
    }

    assertRefusesToOpen("acknowledged");
    // The failed open must not have "repaired" the damage into a consistent but shorter log.
    assertRefusesToOpen("acknowledged");
  }

  @Test
  void aTailCutBelowAcknowledgedDataRefusesToOpen() throws Exception {
    writeAcknowledgedAndClose();
    Path wal = newestWal();
    try (RandomAccessFile f = new RandomAccessFile(wal.toFile(), "rw")) {
      f.setLength(f.length() - 100 * 1024);
    }

    assertRefusesToOpen("acknowledged");
    assertRefusesToOpen("acknowledged");
  }

  @Test
  void aTornUnacknowledgedRecordAtTheTailIsDroppedAndEverythingAcknowledgedIsKept() throws Exception {
    writeAcknowledgedAndClose();
    Path wal = newestWal();
    long before = Files.size(wal);
    // What a crash in the middle of an unacknowledged group commit leaves: the start of a record.
    byte[] torn = new byte[300];
    new Random(42).nextBytes(torn);
    try (RandomAccessFile f = new RandomAccessFile(wal.toFile(), "rw")) {
      f.seek(before);
      f.write(torn);
    }

    try (RocksDbHandle h = RocksDbHandle.open(TestStorage.settings(dir))) {
      assertEveryAcknowledgedWriteReadsBack(h);
      // And it keeps accepting writes after the acknowledged ones.
      h.writer().submit(put(WRITES))
          .get(10, TimeUnit.SECONDS);
    }
    try (RocksDbHandle h = RocksDbHandle.open(TestStorage.settings(dir))) {
      assertEveryAcknowledgedWriteReadsBack(h);
      assertArrayEquals(value(WRITES), h.read(db -> db.get(h.column(Column.DATA), key(WRITES))));
    }
  }

  @Test
  void cleanRestartsKeepOpeningWithoutComplaint() throws Exception {
    writeAcknowledgedAndClose();
    List<Long> sequences = new ArrayList<>();
    for (int round = 0; round < 3; round++) {
      try (RocksDbHandle h = RocksDbHandle.open(TestStorage.settings(dir))) {
        assertEveryAcknowledgedWriteReadsBack(h);
        sequences.add(h.read(db -> db.getLatestSequenceNumber()));
      }
    }
    assertEquals(1, sequences.stream().distinct().count(), "reopening alone changes nothing: " + sequences);
  }

  @Test
  void aLostDatabaseUnderAnExistingHighWaterMarkRefusesToOpen() throws Exception {
    writeAcknowledgedAndClose();
    // The operator (or a bad volume mount) removed the RocksDB files but not the whole directory.
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : files.filter(p -> !p.getFileName().toString().startsWith(AckHighWaterMark.FILE_NAME)).toList()) {
        Files.delete(p);
      }
    }
    assertRefusesToOpen("acknowledged");
  }

  @Test
  void theHighWaterMarkSurvivesATornSlot() throws Exception {
    writeAcknowledgedAndClose();
    long acked;
    try (AckHighWaterMark mark = AckHighWaterMark.open(dir.resolve(AckHighWaterMark.FILE_NAME))) {
      acked = mark.value();
      assertTrue(acked >= WRITES, "mark " + acked);
    }
    // Tear whichever slot holds the newest value: the other slot still holds a recent one.
    try (RandomAccessFile f = new RandomAccessFile(dir.resolve(AckHighWaterMark.FILE_NAME).toFile(), "rw")) {
      ByteBuffer slot0 = ByteBuffer.allocate(AckHighWaterMark.SLOT_BYTES);
      f.getChannel().read(slot0, 0);
      long seq0 = slot0.getLong(0);
      long tornAt = seq0 == acked ? 0 : AckHighWaterMark.SLOT_BYTES;
      f.seek(tornAt + 4);
      f.write(new byte[] {1, 2, 3, 4});
    }
    try (AckHighWaterMark mark = AckHighWaterMark.open(dir.resolve(AckHighWaterMark.FILE_NAME))) {
      assertTrue(mark.value() > 0 && mark.value() <= acked, "fell back to the older slot: " + mark.value());
    }
    try (RocksDbHandle h = RocksDbHandle.open(TestStorage.settings(dir))) {
      assertEveryAcknowledgedWriteReadsBack(h);
    }
  }
}
