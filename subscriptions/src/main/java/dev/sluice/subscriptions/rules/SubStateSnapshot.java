package dev.sluice.subscriptions.rules;

import dev.sluice.core.CborSerializable;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A subscription's journaled state as a snapshot (README "Subscriptions", {@code snapshot-every}),
 * so recovery reads it and replays only the events after it instead of the whole history.
 *
 * <p>An immutable copy, taken on the entity's thread: {@link SubState} is mutable and the snapshot
 * store serializes on its own thread, so handing it the live state could record a half-applied
 * one. Holds exactly what the events build ({@link SubState#apply}); the in-memory tails are not
 * in it, as they are not in the journal (they are read back from the streams after recovery).
 *
 * @param links linked streams in path order
 */
public record SubStateSnapshot(SubscriptionSpec spec, String baseUrl, long createdAtMillis, byte[] tokenKey,
                               Map<String, LinkSnapshot> links, long generation, String wakeId,
                               Map<String, Long> wakeTails, String holder, long leaseUntilMillis)
    implements CborSerializable {

  /** One {@link SubState.Link}. */
  public record LinkSnapshot(boolean explicit, boolean glob, long acked) implements CborSerializable {}

  public static SubStateSnapshot of(SubState s) {
    var links = new LinkedHashMap<String, LinkSnapshot>();
    s.links.forEach((p, l) -> links.put(p, new LinkSnapshot(l.explicit, l.glob, l.acked)));
    return new SubStateSnapshot(s.spec, s.baseUrl, s.createdAtMillis, s.tokenKey == null ? null : s.tokenKey.clone(),
        links, s.generation, s.wakeId, new LinkedHashMap<>(s.snapshot), s.holder, s.leaseUntilMillis);
  }

  /** A fresh state equal to the one this snapshot was taken of (tails empty, as after replaying events). */
  public SubState restore(String subscriptionId) {
    var s = new SubState();
    s.subscriptionIdForTokens = subscriptionId;
    s.spec = spec;
    s.baseUrl = baseUrl;
    s.createdAtMillis = createdAtMillis;
    s.tokenKey = tokenKey == null ? null : tokenKey.clone();
    if (links != null) links.forEach((p, l) -> s.links.put(p, new SubState.Link(l.explicit(), l.glob(), l.acked())));
    s.generation = generation;
    s.wakeId = wakeId;
    s.snapshot = wakeTails == null ? Map.of() : Map.copyOf(wakeTails);
    s.holder = holder;
    s.leaseUntilMillis = leaseUntilMillis;
    return s;
  }
}
