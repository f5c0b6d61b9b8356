package dev.sluice.persistence.store;

import java.util.Objects;

/**
 * INTERNAL API. Identifies one persistenceId within one placement group: the prefix shared by its
 * {@code log}, {@code meta} and {@code snap} keys. Immutable.
 */
public record StreamKey(int placementGroup, String persistenceId) {
  public StreamKey {
    if (placementGroup < 0 || placementGroup > 0xFFFF) {
      throw new IllegalArgumentException("placement group must be 0..65535, was " + placementGroup);
    }
    Objects.requireNonNull(persistenceId, "persistenceId");
  }

  /** The stream of {@code persistenceId} in the only placement group that exists today. */
  public static StreamKey of(String persistenceId) {
    return new StreamKey(KeyLayout.DEFAULT_PLACEMENT_GROUP, persistenceId);
  }
}
