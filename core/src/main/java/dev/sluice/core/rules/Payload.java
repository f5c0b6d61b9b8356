package dev.sluice.core.rules;

import dev.sluice.core.Bytes;
import dev.sluice.core.CborSerializable;

/**
 * A request body prepared for storage, outside the entity (so parsing costs no sequencer time):
 * {@code unit} is what gets stored, {@code messages} the JSON message count (0 for non-JSON), and
 * {@code error} a JSON problem the entity reports only after its 404/409 checks, keeping the
 * reference's error precedence (checklist §4 "Error precedence").
 */
public record Payload(Bytes unit, int messages, Error error, boolean rawEmpty) implements CborSerializable {
  public enum Error {
    NONE,
    INVALID_JSON,
    EMPTY_ARRAY
  }

  public static final Payload EMPTY = new Payload(Bytes.EMPTY, 0, Error.NONE, true);

  /** True when there is nothing to store (empty body, or JSON {@code []}). */
  public boolean hasNoData() {
    return unit.isEmpty();
  }
}
