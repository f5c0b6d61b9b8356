package dev.sluice.replication;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The opaque bytes of one journal entry, with content equality (a raw array would break record equals).
 * The integration puts an encoded storage write here; this module never looks inside.
 */
public record Payload(byte[] bytes) {
  private static final int SHOWN_BYTES = 40;

  public Payload {
    bytes = bytes.clone();
  }

  public static Payload utf8(String s) {
    return new Payload(s.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public byte[] bytes() {
    return bytes.clone();
  }

  public int size() {
    return bytes.length;
  }

  public String utf8() {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Payload p && Arrays.equals(bytes, p.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  /** Short payloads print as text (the simulator's values); long ones only by size, never dumped. */
  @Override
  public String toString() {
    return bytes.length <= SHOWN_BYTES ? "Payload[" + utf8() + "]" : "Payload[" + bytes.length + " bytes]";
  }
}
