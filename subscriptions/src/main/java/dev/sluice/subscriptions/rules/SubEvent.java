package dev.sluice.subscriptions.rules;

import dev.sluice.core.CborSerializable;
import java.util.Map;

/**
 * What a subscription's journal records (issue 10: acked offsets, generations and leases survive a
 * restart). Acked positions are byte positions; {@code -1} is "before the first byte" (a stream a
 * pattern picked up when it was created: its first data is pending). Tails are not recorded: they
 * belong to the streams and are read back from them after a restart.
 */
public sealed interface SubEvent extends CborSerializable {
  /** PUT of a new subscription; {@code links} are its first streams with their acked positions. */
  record Created(SubscriptionSpec spec, String baseUrl, long createdAtMillis, byte[] tokenKey,
                 Map<String, Long> explicitLinks, Map<String, Long> globLinks) implements SubEvent {}

  /** A stream linked (explicitly, or by the pattern) at {@code acked}; an existing link only gains the type. */
  record Linked(String path, boolean explicit, long acked) implements SubEvent {}

  /** An explicit link removed ({@code DELETE .../streams/:path}); a pattern link of the same stream stays. */
  record Unlinked(String path) implements SubEvent {}

  /** The stream is gone (deleted or expired): its link goes. */
  record Dropped(String path) implements SubEvent {}

  /** A new wake: generation {@code generation}, stream tails at that moment in {@code snapshot}. */
  record WakeStarted(long generation, String wakeId, Map<String, Long> snapshot) implements SubEvent {}

  /** A pull-wake worker holds the current wake until {@code leaseUntilMillis}. */
  record Claimed(String holder, long leaseUntilMillis) implements SubEvent {}

  /** A heartbeat ack extended the claim. */
  record LeaseExtended(long leaseUntilMillis) implements SubEvent {}

  /** Acked positions moved forward (never back). */
  record Acked(Map<String, Long> positions) implements SubEvent {}

  /** The wake of {@code generation} is over (done, released, or its lease expired). */
  record WakeEnded(long generation) implements SubEvent {}

  /** DELETE: the subscription is gone; a later PUT creates a new one. */
  record Deleted(long atMillis) implements SubEvent {}
}
