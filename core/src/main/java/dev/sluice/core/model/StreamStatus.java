package dev.sluice.core.model;

/**
 * Lifecycle of one stream path.
 *
 * <pre>
 *   NONE --create--> ACTIVE --delete (no live forks) / expire--> NONE
 *                      |                                           ^
 *                      +--delete or expire with live forks--> SOFT_DELETED --last fork released--+
 * </pre>
 *
 * A path that returns to NONE may be created again; it gets a fresh store id.
 */
public enum StreamStatus {
  NONE,
  ACTIVE,
  SOFT_DELETED
}
