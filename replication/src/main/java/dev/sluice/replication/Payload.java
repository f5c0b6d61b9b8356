package dev.sluice.replication;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** The opaque bytes of one journal entry, with content equality (a raw array would break record equals). */
public record Payload(byte[] bytes) {
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

  @Override
  public String toString() {
    return "Payload[" + utf8() + "]";
  }
}
