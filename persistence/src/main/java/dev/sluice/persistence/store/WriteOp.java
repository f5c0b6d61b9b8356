package dev.sluice.persistence.store;

import dev.sluice.core.Bytes;
import java.util.Objects;

/**
 * INTERNAL API. One change to one stream's storage, as a value: the unit a {@link StreamWrite} is
 * made of. Key changes ({@link Put}, {@link Delete}, {@link DeleteRange}) name their column family
 * and raw key bytes (see {@link KeyLayout}); changes to the stream's {@code meta} record are
 * expressed by what happened ({@link MetaAppended}, {@link MetaDeletedTo}), because the new record
 * depends on the stored one, which only the storage applying the write knows (and which, once
 * replicated, each replica knows for itself).
 *
 * <p>Why values and not closures: a value can be tested, logged, checksummed and shipped to a
 * replica; a closure can only be run.
 *
 * <p>Invariant: no key change touches {@link Column#META} (meta changes only through the meta
 * operations, so the writer's meta overlay and cache stay exact), {@link Column#DEFAULT} (the
 * node keys, written once at creation) or {@link Column#REPL} (the replica's log: a write is an
 * entry's payload there, and a payload that rewrote the log holding it would make the replica's
 * state depend on what it materialized).
 *
 * <p>Immutable. The {@link Bytes} are wrapped without copying: whoever builds an op hands its
 * arrays over and must not change them afterwards ({@link #put} and friends say so).
 */
public sealed interface WriteOp
    permits WriteOp.Put, WriteOp.Delete, WriteOp.DeleteRange, WriteOp.MetaAppended, WriteOp.MetaDeletedTo {

  /** Size of this op in the encoding of {@link StreamWrite#encode()}, in bytes. */
  int encodedSize();

  /** Takes ownership of {@code key} and {@code value}: the caller must not modify them afterwards. */
  static Put put(Column column, byte[] key, byte[] value) {
    return new Put(column, Bytes.wrap(key), Bytes.wrap(value));
  }

  /** Takes ownership of {@code key}: the caller must not modify it afterwards. */
  static Delete delete(Column column, byte[] key) {
    return new Delete(column, Bytes.wrap(key));
  }

  /** Takes ownership of both keys: the caller must not modify them afterwards. */
  static DeleteRange deleteRange(Column column, byte[] from, byte[] toExclusive) {
    return new DeleteRange(column, Bytes.wrap(from), Bytes.wrap(toExclusive));
  }

  /** Stores {@code value} under {@code key}. */
  record Put(Column column, Bytes key, Bytes value) implements WriteOp {
    public Put {
      requireKeyColumn(column);
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(value, "value");
    }

    @Override
    public int encodedSize() {
      return 1 + 1 + 4 + key.length() + 4 + value.length();
    }

    @Override
    public String toString() {
      return "Put[" + column.cfName() + ", key " + key.length() + " B, value " + value.length() + " B]";
    }
  }

  /** Removes {@code key}. */
  record Delete(Column column, Bytes key) implements WriteOp {
    public Delete {
      requireKeyColumn(column);
      Objects.requireNonNull(key, "key");
    }

    @Override
    public int encodedSize() {
      return 1 + 1 + 4 + key.length();
    }

    @Override
    public String toString() {
      return "Delete[" + column.cfName() + ", key " + key.length() + " B]";
    }
  }

  /** Removes every key in {@code [from, toExclusive)} with one range tombstone. */
  record DeleteRange(Column column, Bytes from, Bytes toExclusive) implements WriteOp {
    public DeleteRange {
      requireKeyColumn(column);
      Objects.requireNonNull(from, "from");
      Objects.requireNonNull(toExclusive, "toExclusive");
    }

    @Override
    public int encodedSize() {
      return 1 + 1 + 4 + from.length() + 4 + toExclusive.length();
    }

    @Override
    public String toString() {
      return "DeleteRange[" + column.cfName() + ", " + from.length() + " B .. " + toExclusive.length() + " B]";
    }
  }

  /**
   * Events {@code firstSeq..lastSeq} were stored by a writer in {@code epoch}: the stream's
   * {@code meta} moves its tail ({@link MetaRecord#appended}). The writer refuses the write if
   * {@code firstSeq} does not lie above every sequence number ever stored for the stream: an
   * event-sourced writer only ever continues its log, so such a write could only overwrite
   * acknowledged events (e.g. a writer that recovered without a write its storage kept after all).
   */
  record MetaAppended(long firstSeq, long lastSeq, long epoch) implements WriteOp {
    public MetaAppended {
      if (firstSeq < 1 || lastSeq < firstSeq) {
        throw new IllegalArgumentException("appended range " + firstSeq + ".." + lastSeq + " is empty or below 1");
      }
    }

    @Override
    public int encodedSize() {
      return 1 + 8 + 8 + 8;
    }
  }

  /**
   * {@code deleteMessagesTo(toSeq)}: if this moves the stream's {@code deletedTo} (it never passes
   * {@code highestEver}, see {@link MetaRecord#deletedUpTo}), the events up to the new
   * {@code deletedTo} are range-deleted from {@code log} and {@code meta} records it. The range is
   * not in the op because it depends on the stored meta.
   */
  record MetaDeletedTo(long toSeq) implements WriteOp {
    @Override
    public int encodedSize() {
      return 1 + 8;
    }
  }

  private static void requireKeyColumn(Column column) {
    Objects.requireNonNull(column, "column");
    if (column == Column.META || column == Column.DEFAULT || column == Column.REPL) {
      throw new IllegalArgumentException(
          "key changes to " + column.cfName() + " are not allowed; meta changes only through meta operations,"
              + " the replica log only through the replica store");
    }
  }
}
