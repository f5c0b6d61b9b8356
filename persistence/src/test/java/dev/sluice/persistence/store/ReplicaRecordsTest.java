package dev.sluice.persistence.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.sluice.replication.Entry;
import dev.sluice.replication.Epoch;
import dev.sluice.replication.Payload;
import dev.sluice.replication.ProducerStamp;
import dev.sluice.replication.ReplicaState;
import org.junit.jupiter.api.Test;

/** The {@code repl} records and {@code node/replica}: exact round trips, and corruption detected, never guessed at. */
class ReplicaRecordsTest {
  private static final byte[] KEY_1 = KeyLayout.replEntryKey(0, "s", 1);

  @Test
  void entriesRoundTripWithAndWithoutAProducerStamp() {
    Entry plain = new Entry(1, Epoch.of(3, 2), Payload.utf8("payload"), null);
    Entry stamped = new Entry(1, Epoch.of(3, 2), new Payload(new byte[0]), new ProducerStamp("prod-ü", 7, 99));
    assertEquals(plain, ReplEntryRecord.decode(KEY_1, ReplEntryRecord.encode(KEY_1, plain)));
    assertEquals(stamped, ReplEntryRecord.decode(KEY_1, ReplEntryRecord.encode(KEY_1, stamped)));
    assertArrayEquals(plain.payload().bytes(), ReplEntryRecord.payload(KEY_1, ReplEntryRecord.encode(KEY_1, plain)));
    byte[] key5 = KeyLayout.replEntryKey(0, "s", 5);
    Entry fifth = new Entry(5, 1, Payload.utf8("five"), null);
    assertEquals(fifth, ReplEntryRecord.decode(key5, ReplEntryRecord.encode(key5, fifth)), "the seq is the key's");
  }

  @Test
  void anEntryUnderAnotherKeyOrWithAFlippedBitFailsItsCheck() {
    byte[] value = ReplEntryRecord.encode(KEY_1, new Entry(1, 1, Payload.utf8("x"), null));
    assertThrows(CorruptRecordException.class, () -> ReplEntryRecord.decode(KeyLayout.replEntryKey(0, "s", 2), value));
    assertThrows(CorruptRecordException.class, () -> ReplEntryRecord.decode(KeyLayout.replEntryKey(0, "t", 1), value));
    value[10] ^= 1;
    assertThrows(CorruptRecordException.class, () -> ReplEntryRecord.decode(KEY_1, value));
  }

  @Test
  void replicaMetaRoundTripsEveryField() {
    byte[] key = KeyLayout.replMetaKey(0, "s");
    ReplicaState limbo = new ReplicaState("s", 2, "disk-uuid", Epoch.of(9, 1), 40, Epoch.of(8, 0), 30, true, 0b011, 41, Epoch.of(9, 1));
    ReplicaMetaRecord r = new ReplicaMetaRecord(limbo, 25);
    assertEquals(r, ReplicaMetaRecord.decode("s", key, r.encode(key)));
    ReplicaMetaRecord empty = new ReplicaMetaRecord(ReplicaState.empty("s", 0, "d"), 0);
    assertEquals(empty, ReplicaMetaRecord.decode("s", key, empty.encode(key)));
    assertThrows(CorruptRecordException.class, () -> ReplicaMetaRecord.decode("t", KeyLayout.replMetaKey(0, "t"), r.encode(key)));
  }

  @Test
  void materializedUpToNeverExceedsLac() {
    assertThrows(IllegalArgumentException.class, () -> new ReplicaMetaRecord(ReplicaState.empty("s", 0, "d"), 1));
  }

  @Test
  void membershipRoundTripsAndIsChecked() {
    for (ReplicaMembership m : new ReplicaMembership[] {new ReplicaMembership(0, false), new ReplicaMembership(2, true)}) {
      assertEquals(m, ReplicaMembership.decode(m.encode()));
    }
    byte[] v = new ReplicaMembership(1, true).encode();
    v[1] ^= 1;
    assertThrows(CorruptRecordException.class, () -> ReplicaMembership.decode(v));
  }

  @Test
  void theReplicaMetaKeySortsBeforeTheStreamsEntriesAndAfterEveryOtherStreamsRange() {
    byte[] meta = KeyLayout.replMetaKey(0, "a");
    assertEquals(-1, Integer.signum(java.util.Arrays.compareUnsigned(meta, KeyLayout.replEntryKey(0, "a", 0))));
    assertEquals(-1, Integer.signum(java.util.Arrays.compareUnsigned(KeyLayout.seqKeyUpperBound(0, "a", Long.MAX_VALUE),
        KeyLayout.replMetaKey(0, "b"))));
  }

  @Test
  void aWriteCannotTouchTheReplicaLog() {
    assertThrows(IllegalArgumentException.class, () -> WriteOp.put(Column.REPL, KEY_1, new byte[1]));
    assertThrows(IllegalArgumentException.class, () -> WriteOp.deleteRange(Column.REPL, KEY_1, KEY_1));
  }
}
