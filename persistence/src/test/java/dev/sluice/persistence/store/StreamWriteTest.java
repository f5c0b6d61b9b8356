package dev.sluice.persistence.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.Bytes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The write values: equality, sizes, log output and the checksummed encoding. */
class StreamWriteTest {
  private static final StreamKey STREAM = new StreamKey(3, "stream-ä");

  private static StreamWrite everyKind() {
    return new StreamWrite(STREAM,
        WriteOp.put(Column.LOG, KeyLayout.seqKey(3, "stream-ä", 7), "event".getBytes()),
        WriteOp.deleteRange(Column.DATA, KeyLayout.dataKey(9, 0), KeyLayout.dataStoreEnd(9)),
        WriteOp.put(Column.DATA, KeyLayout.dataKey(9, 0), new byte[300]),
        WriteOp.delete(Column.SNAP, KeyLayout.seqKey(3, "stream-ä", 2)),
        new WriteOp.MetaAppended(3, 7, 5),
        new WriteOp.MetaDeletedTo(4));
  }

  @Test
  void equalContentMeansEqualValuesWhateverArraysHoldIt() {
    assertEquals(everyKind(), everyKind());
    assertEquals(everyKind().hashCode(), everyKind().hashCode());
    assertEquals(WriteOp.put(Column.DATA, new byte[] {1}, new byte[] {2}),
        new WriteOp.Put(Column.DATA, Bytes.copyOf(new byte[] {1}), Bytes.copyOf(new byte[] {2})));
    assertNotEquals(WriteOp.put(Column.DATA, new byte[] {1}, new byte[] {2}),
        WriteOp.put(Column.DATA, new byte[] {1}, new byte[] {3}));
    assertNotEquals(everyKind(), new StreamWrite(new StreamKey(4, "stream-ä"), everyKind().ops()));
  }

  @Test
  void theOpListIsACopyThatCannotChange() {
    List<WriteOp> ops = new ArrayList<>(List.of(new WriteOp.MetaDeletedTo(1)));
    StreamWrite write = new StreamWrite(STREAM, ops);
    ops.add(new WriteOp.MetaDeletedTo(2));
    assertEquals(1, write.ops().size());
    assertThrows(UnsupportedOperationException.class, () -> write.ops().add(new WriteOp.MetaDeletedTo(3)));
  }

  @Test
  void encodedSizeIsTheExactLengthOfTheEncoding() {
    StreamWrite write = everyKind();
    assertEquals(write.encode().length, write.encodedSize());
    StreamWrite empty = new StreamWrite(STREAM);
    assertEquals(empty.encode().length, empty.encodedSize());
    assertEquals(write.encodedSize() + empty.encodedSize(), StreamWrite.encodedSize(List.of(write, empty)));
  }

  @Test
  void everyKindOfOpSurvivesEncodeAndDecode() {
    StreamWrite write = everyKind();
    assertEquals(write, StreamWrite.decode(write.encode()));
    assertEquals(new StreamWrite(STREAM), StreamWrite.decode(new StreamWrite(STREAM).encode()));
  }

  @Test
  void aDamagedEncodingIsDetected() {
    byte[] encoded = everyKind().encode();
    for (int i : new int[] {0, 5, encoded.length / 2, encoded.length - 1}) {
      byte[] flipped = encoded.clone();
      flipped[i] ^= 0x10;
      assertThrows(CorruptRecordException.class, () -> StreamWrite.decode(flipped), "flip at " + i);
    }
    assertThrows(CorruptRecordException.class, () -> StreamWrite.decode(Arrays.copyOf(encoded, 20)));
  }

  @Test
  void toStringNamesStreamAndOpsButNoBytes() {
    String s = everyKind().toString();
    assertEquals("StreamWrite[3/stream-ä: Put[log, key 21 B, value 5 B], DeleteRange[data, 16 B .. 16 B], "
        + "Put[data, key 16 B, value 300 B], Delete[snap, key 21 B], MetaAppended[firstSeq=3, lastSeq=7, epoch=5], "
        + "MetaDeletedTo[toSeq=4]]", s);
    assertFalse(s.contains("event"));
    List<WriteOp> many = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      many.add(new WriteOp.MetaDeletedTo(i));
    }
    assertTrue(new StreamWrite(STREAM, many).toString().endsWith("MetaDeletedTo[toSeq=7], ... 12 more]"));
  }

  @Test
  void keyChangesToMetaOrTheNodeKeysAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> WriteOp.put(Column.META, new byte[1], new byte[1]));
    assertThrows(IllegalArgumentException.class, () -> WriteOp.delete(Column.DEFAULT, new byte[1]));
    assertThrows(IllegalArgumentException.class, () -> WriteOp.deleteRange(Column.META, new byte[1], new byte[2]));
  }

  @Test
  void columnIdsAreFixedAndUnknownOnesAreCorruption() {
    for (Column c : Column.values()) {
      assertEquals(c, Column.ofId(c.id()));
    }
    assertEquals(1, Column.LOG.id(), "ids are on disk once writes are shipped; never renumber");
    assertThrows(CorruptRecordException.class, () -> Column.ofId(99));
  }
}
