package dev.sluice.persistence.store;

import dev.sluice.core.Bytes;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * INTERNAL API. Everything one write changes in one stream, as a value: the {@link WriteOp}s, applied
 * in list order, all or nothing together with the other writes of the same request. A journal call
 * becomes one {@code StreamWrite} per {@code AtomicWrite}; a snapshot save or a delete becomes one.
 *
 * <p>It can be logged ({@link #toString()} names the stream and the ops but never dumps bytes),
 * compared ({@code equals} compares content), sized ({@link #encodedSize()}) and encoded with a
 * CRC32C ({@link #encode()}, {@link #decode}) so it can later be shipped to a replica and checked
 * there.
 *
 * <p>Encoding (big-endian, like {@link KeyLayout}):
 * <pre>
 * u8 fmt=1, u16 placementGroup, u16 len + persistenceId utf8, u32 opCount, ops..., u32 crc32c(preceding bytes)
 *   Put          u8 1, u8 columnId, u32 len + key, u32 len + value
 *   Delete       u8 2, u8 columnId, u32 len + key
 *   DeleteRange  u8 3, u8 columnId, u32 len + from, u32 len + toExclusive
 *   MetaAppended u8 4, u64 firstSeq, u64 lastSeq, u64 epoch
 *   MetaDeletedTo u8 5, u64 toSeq
 * </pre>
 *
 * <p>Immutable: the op list is copied; the ops own their bytes (see {@link WriteOp}).
 */
public record StreamWrite(StreamKey stream, List<WriteOp> ops) {
  private static final int FORMAT = 1;
  private static final int PUT = 1;
  private static final int DELETE = 2;
  private static final int DELETE_RANGE = 3;
  private static final int META_APPENDED = 4;
  private static final int META_DELETED_TO = 5;
  /** Ops named by {@link #toString()}; a large write is summarised after these. */
  private static final int OPS_SHOWN = 8;
  private static final byte[] NO_KEY = new byte[0];

  public StreamWrite {
    Objects.requireNonNull(stream, "stream");
    ops = List.copyOf(ops);
  }

  public StreamWrite(StreamKey stream, WriteOp... ops) {
    this(stream, List.of(ops));
  }

  /** Exact length of {@link #encode()}, in bytes. */
  public int encodedSize() {
    int size = 1 + 2 + 2 + stream.persistenceId().getBytes(StandardCharsets.UTF_8).length + 4 + 4;
    for (WriteOp op : ops) {
      size += op.encodedSize();
    }
    return size;
  }

  /** Total encoded size of {@code writes}, in bytes. */
  public static long encodedSize(List<StreamWrite> writes) {
    long size = 0;
    for (StreamWrite w : writes) {
      size += w.encodedSize();
    }
    return size;
  }

  public byte[] encode() {
    RecordWriter w = new RecordWriter(encodedSize());
    w.u8(FORMAT).u16(stream.placementGroup()).str16(stream.persistenceId()).i32(ops.size());
    for (WriteOp op : ops) {
      if (op instanceof WriteOp.Put p) {
        w.u8(PUT).u8(p.column().id()).bytes32(p.key().unsafeArray()).bytes32(p.value().unsafeArray());
      } else if (op instanceof WriteOp.Delete d) {
        w.u8(DELETE).u8(d.column().id()).bytes32(d.key().unsafeArray());
      } else if (op instanceof WriteOp.DeleteRange r) {
        w.u8(DELETE_RANGE).u8(r.column().id()).bytes32(r.from().unsafeArray()).bytes32(r.toExclusive().unsafeArray());
      } else if (op instanceof WriteOp.MetaAppended a) {
        w.u8(META_APPENDED).u64(a.firstSeq()).u64(a.lastSeq()).u64(a.epoch());
      } else if (op instanceof WriteOp.MetaDeletedTo t) {
        w.u8(META_DELETED_TO).u64(t.toSeq());
      } else {
        throw new IllegalStateException("unknown op " + op); // unreachable: WriteOp is sealed
      }
    }
    return w.finish(NO_KEY);
  }

  /** @throws CorruptRecordException on a checksum mismatch, an unknown format, op or column */
  public static StreamWrite decode(byte[] encoded) {
    RecordReader r = new RecordReader(NO_KEY, encoded, "stream write");
    r.expectFormat(FORMAT);
    StreamKey stream = new StreamKey(r.u16(), r.str16());
    int count = r.i32();
    if (count < 0 || count > encoded.length) {
      throw new CorruptRecordException("stream write has a bad op count: " + count);
    }
    List<WriteOp> ops = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      ops.add(decodeOp(r));
    }
    r.expectEnd();
    return new StreamWrite(stream, ops);
  }

  private static WriteOp decodeOp(RecordReader r) {
    int tag = r.u8();
    try {
      return switch (tag) {
        case PUT -> new WriteOp.Put(Column.ofId(r.u8()), Bytes.wrap(r.bytes32()), Bytes.wrap(r.bytes32()));
        case DELETE -> new WriteOp.Delete(Column.ofId(r.u8()), Bytes.wrap(r.bytes32()));
        case DELETE_RANGE -> new WriteOp.DeleteRange(Column.ofId(r.u8()), Bytes.wrap(r.bytes32()), Bytes.wrap(r.bytes32()));
        case META_APPENDED -> new WriteOp.MetaAppended(r.u64(), r.u64(), r.u64());
        case META_DELETED_TO -> new WriteOp.MetaDeletedTo(r.u64());
        default -> throw new CorruptRecordException("stream write has unknown op " + tag);
      };
    } catch (IllegalArgumentException e) {
      // A well-formed encoding never holds an op its constructor refuses (e.g. a put into meta).
      throw new CorruptRecordException("stream write has an invalid op: " + e.getMessage());
    }
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("StreamWrite[")
        .append(stream.placementGroup()).append('/').append(stream.persistenceId()).append(": ");
    for (int i = 0; i < Math.min(ops.size(), OPS_SHOWN); i++) {
      b.append(i == 0 ? "" : ", ").append(ops.get(i));
    }
    if (ops.size() > OPS_SHOWN) {
      b.append(", ... ").append(ops.size() - OPS_SHOWN).append(" more");
    }
    return b.append(']').toString();
  }
}
