package dev.sluice.persistence.store;

/**
 * INTERNAL API. Identifies one persistenceId within one placement group: the prefix shared by its
 * {@code log}, {@code meta} and {@code snap} keys. Immutable.
 */
public record StreamKey(int placementGroup, String persistenceId) {}
