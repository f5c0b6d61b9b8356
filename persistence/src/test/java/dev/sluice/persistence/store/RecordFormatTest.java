package dev.sluice.persistence.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.Bytes;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Key ordering and value framing of {@link KeyLayout}, and the record codecs' corruption checks. */
class RecordFormatTest {

  private static int compare(byte[] a, byte[] b) {
    return Arrays.compareUnsigned(a, b); // RocksDB's default bytewise comparator
  }

  @ParameterizedTest
  @ValueSource(longs = {0, 1, 255, 256, 65_535, 1L << 32, Long.MAX_VALUE - 1})
  void seqKeysSortNumericallyAndBelowTheStreamUpperBound(long seq) {
    byte[] k = KeyLayout.seqKey(0, "p", seq);
    assertTrue(compare(k, KeyLayout.seqKey(0, "p", seq + 1)) < 0);
    assertTrue(compare(k, KeyLayout.seqKeyUpperBound(0, "p", seq)) < 0);
    assertTrue(compare(k, KeyLayout.seqKeyUpperBound(0, "p", Long.MAX_VALUE)) < 0);
    assertEquals(seq, KeyLayout.seqNrOf(k));
  }

  @Test
  void aPersistenceIdThatPrefixesAnotherNeverSharesItsKeyRange() {
    byte[] lastOfA = KeyLayout.seqKey(0, "a", Long.MAX_VALUE);
    byte[] endOfA = KeyLayout.seqKeyUpperBound(0, "a", Long.MAX_VALUE);
    byte[] firstOfAb = KeyLayout.seqKey(0, "ab", 0);
    assertTrue(compare(lastOfA, endOfA) < 0);
    assertTrue(compare(endOfA, firstOfAb) <= 0);
    assertTrue(compare(KeyLayout.seqKey(0, "ab", Long.MAX_VALUE), KeyLayout.seqKey(1, "a", 0)) < 0,
        "placement group leads the key");
  }

  @Test
  void dataKeysOfAStoreStayBelowItsEndAndTheNextStore() {
    byte[] last = KeyLayout.dataKey(7, Long.MAX_VALUE);
    assertTrue(compare(last, KeyLayout.dataStoreEnd(7)) < 0);
    assertTrue(compare(KeyLayout.dataStoreEnd(7), KeyLayout.dataKey(8, 0)) < 0);
    assertEquals(Long.MAX_VALUE, KeyLayout.positionOf(last));
  }

  @Test
  void invalidKeysAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> KeyLayout.seqKey(0, "", 1));
    assertThrows(IllegalArgumentException.class, () -> KeyLayout.seqKey(0, "x".repeat(70_000), 1));
    assertThrows(IllegalArgumentException.class, () -> KeyLayout.seqKey(0, "p", -1));
    assertThrows(IllegalArgumentException.class, () -> KeyLayout.dataKey(1, -1));
    assertThrows(IllegalArgumentException.class, () -> KeyLayout.streamKey(70_000, "p"));
  }

  @Test
  void recordsRoundTrip() {
    byte[] key = KeyLayout.seqKey(0, "p", 3);
    var blob = new SerializedBlob(33, "m", Bytes.utf8("payload"));
    var log = new LogRecord(5, "writer-1", blob);
    assertEquals(log, LogRecord.decode(key, log.encode(key)));
    var meta = new MetaRecord(1, 2, 3, 4, 5, 6);
    assertEquals(meta, MetaRecord.decode(key, meta.encode(key)));
    var snap = new SnapshotRecord(0, 99, blob, Optional.of(new SerializedBlob(1, "", Bytes.EMPTY)));
    assertEquals(snap, SnapshotRecord.decode(key, snap.encode(key)));
  }

  @Test
  void aFlippedBitOrAValueUnderTheWrongKeyIsDetected() {
    byte[] key = KeyLayout.seqKey(0, "p", 3);
    byte[] value = new LogRecord(0, "w", new SerializedBlob(1, "", Bytes.utf8("x"))).encode(key);
    byte[] flipped = value.clone();
    flipped[10] ^= 0x01;
    assertThrows(CorruptRecordException.class, () -> LogRecord.decode(key, flipped));
    assertThrows(CorruptRecordException.class, () -> LogRecord.decode(KeyLayout.seqKey(0, "p", 4), value));
    assertThrows(CorruptRecordException.class, () -> LogRecord.decode(key, Arrays.copyOf(value, 3)));
  }

  @Test
  void deletesNeverLowerTheHighestSequenceNumberNorMovePastIt() {
    MetaRecord m = MetaRecord.EMPTY.appended(5, 0);
    MetaRecord deleted = m.deletedUpTo(Long.MAX_VALUE);
    assertEquals(5, deleted.deletedTo());
    assertEquals(5, deleted.highestEver());
    assertEquals(5, deleted.deletedUpTo(2).deletedTo(), "deletedTo never moves back");
    assertEquals(5, deleted.appended(3, 0).highestEver());
  }
}
