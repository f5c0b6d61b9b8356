package dev.sluice.actors.stream;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import dev.sluice.core.Bytes;
import java.io.IOException;

/**
 * A range of a body's bytes, sent as one {@link StreamEntity.BodyPart}. Slicing does not copy: on
 * the local path (the entity on this node) the part is the body's own array; only serialization
 * (to another node) writes the range, as one CBOR byte string, and the receiver gets its own array.
 *
 * <p>Thread-safe (immutable; the array is never written).
 */
@JsonSerialize(using = BodySlice.Writer.class)
public final class BodySlice {
  private final byte[] array;
  private final int offset;
  private final int length;

  private BodySlice(byte[] array, int offset, int length) {
    this.array = array;
    this.offset = offset;
    this.length = length;
  }

  /** Bytes {@code [from, to)} of {@code body}, sharing its array. */
  public static BodySlice of(Bytes body, int from, int to) {
    if (from < 0 || to > body.length() || from > to) {
      throw new IndexOutOfBoundsException("[" + from + ", " + to + ") of " + body.length());
    }
    return new BodySlice(body.unsafeArray(), from, to - from);
  }

  /** A received slice: the whole array, which the caller hands over. */
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  static BodySlice received(byte[] data) {
    return new BodySlice(data, 0, data.length);
  }

  public int length() {
    return length;
  }

  byte[] array() {
    return array;
  }

  int offset() {
    return offset;
  }

  @Override
  public String toString() {
    return "BodySlice[" + length + "]";
  }

  static final class Writer extends StdSerializer<BodySlice> {
    Writer() {
      super(BodySlice.class);
    }

    @Override
    public void serialize(BodySlice s, JsonGenerator gen, SerializerProvider provider) throws IOException {
      gen.writeBinary(s.array, s.offset, s.length);
    }
  }
}
