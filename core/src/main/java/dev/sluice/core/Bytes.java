package dev.sluice.core;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * An immutable byte string with content equality, so records that carry payloads keep a sane
 * {@code equals}. Serialized by Jackson as a binary value (a CBOR byte string).
 *
 * <p>Thread-safe (immutable). The wrapped array is never exposed for mutation: {@link #toArray()}
 * copies; {@link #unsafeArray()} is for hot paths that promise not to write to it.
 */
public final class Bytes {
  public static final Bytes EMPTY = new Bytes(new byte[0]);

  private final byte[] data;

  private Bytes(byte[] data) {
    this.data = data;
  }

  /** Wraps {@code data} without copying; the caller must not modify it afterwards. */
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static Bytes wrap(byte[] data) {
    return data.length == 0 ? EMPTY : new Bytes(data);
  }

  public static Bytes copyOf(byte[] data) {
    return wrap(data.clone());
  }

  public static Bytes utf8(String s) {
    return wrap(s.getBytes(StandardCharsets.UTF_8));
  }

  public int length() {
    return data.length;
  }

  public boolean isEmpty() {
    return data.length == 0;
  }

  public byte[] toArray() {
    return data.clone();
  }

  /** The backing array, shared. Callers must treat it as read-only. */
  @JsonValue
  public byte[] unsafeArray() {
    return data;
  }

  public Bytes slice(int from, int to) {
    return wrap(Arrays.copyOfRange(data, from, to));
  }

  public String utf8String() {
    return new String(data, StandardCharsets.UTF_8);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Bytes b && Arrays.equals(data, b.data);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return "Bytes[" + data.length + "]";
  }
}
