package dev.sluice.subscriptions.rules;

import dev.sluice.core.CborSerializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The subscription definitions a node's match index is built from, each with its version (the
 * subscription entity's sequence number when it was described), so copies of one definition that
 * arrive late, twice or out of order from several nodes settle on the newest: an older copy never
 * replaces a newer one, and a deletion is kept as a tombstone so a late copy of the definition it
 * deleted cannot bring it back. Pure and not thread-safe: owned by one actor.
 */
public final class IndexEntries {
  /** One subscription's definition as of {@code version}; {@code deleted}: a tombstone. */
  public record Entry(String id, long version, String pattern, List<String> explicitStreams, boolean deleted)
      implements CborSerializable {
    public static Entry of(String id, long version, SubscriptionSpec spec, Set<String> explicitStreams) {
      return new Entry(id, version, spec.glob() == null ? null : spec.glob().text(), List.copyOf(explicitStreams), false);
    }

    public static Entry tombstone(String id, long version) {
      return new Entry(id, version, null, List.of(), true);
    }
  }

  private final Map<String, Entry> byId = new HashMap<>();

  /** Keeps {@code e} if it is newer than what is known of its subscription; true if anything changed. */
  public boolean apply(Entry e) {
    Entry known = byId.get(e.id());
    if (known != null && known.version() >= e.version()) return false;
    byId.put(e.id(), e);
    return true;
  }

  /** Applies each; true if any changed. */
  public boolean applyAll(Iterable<Entry> entries) {
    boolean changed = false;
    for (Entry e : entries) changed |= apply(e);
    return changed;
  }

  /** Every entry, tombstones included (what a node hands to a peer it has not met yet). */
  public List<Entry> all() {
    return new ArrayList<>(byId.values());
  }

  /** The match index of the live (not deleted) subscriptions. */
  public PatternIndex index() {
    var b = new PatternIndex.Builder();
    for (Entry e : byId.values()) {
      if (!e.deleted()) b.add(e.id(), e.pattern() == null ? null : Glob.compile(e.pattern()), e.explicitStreams());
    }
    return b.build();
  }
}
