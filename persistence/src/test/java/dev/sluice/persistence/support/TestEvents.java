package dev.sluice.persistence.support;

import dev.sluice.core.Bytes;
import dev.sluice.core.CborSerializable;
import dev.sluice.core.spi.IndexedData;
import dev.sluice.core.spi.PurgesData;

/** Journal events for tests, serialized with jackson-cbor via {@link CborSerializable}. */
public final class TestEvents {
  private TestEvents() {}

  /** Carries stream bytes, so the journal indexes them in the {@code data} column family. */
  public record Appended(long storeId, long position, Bytes data) implements IndexedData, CborSerializable {
    public static Appended utf8(long storeId, long position, String text) {
      return new Appended(storeId, position, Bytes.utf8(text));
    }
  }

  /** Ends a store incarnation, so the journal purges its data. */
  public record Purged(long purgedStoreId) implements PurgesData, CborSerializable {}

  /** An event with no data side effects. */
  public record Noted(String text) implements CborSerializable {}

  /** Has no serialization binding, so the journal must reject any AtomicWrite containing it. */
  public record Unserializable(String text) {}
}
