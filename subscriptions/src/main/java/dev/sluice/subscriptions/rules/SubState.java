package dev.sluice.subscriptions.rules;

import dev.sluice.core.protocol.Offset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A subscription's state and the rules that read it (checklist §15): which linked streams have
 * pending data, whether a token or a wake is stale, whether acks are acceptable. Applied by the
 * entity's event handler only; {@link #tails} is the in-memory view of the linked streams' tails
 * (never journaled, refreshed from the streams). Not thread-safe: owned by one entity.
 */
public final class SubState {
  /** One linked stream. */
  public static final class Link {
    public boolean explicit;
    public boolean glob;
    public long acked;

    Link(boolean explicit, boolean glob, long acked) {
      this.explicit = explicit;
      this.glob = glob;
      this.acked = acked;
    }

    public String linkType() {
      return explicit ? "explicit" : "glob";
    }
  }

  /** A stream as a wake or a GET shows it. */
  public record StreamInfo(String path, String linkType, long acked, long tail) {
    public boolean hasPending() {
      return tail > acked;
    }

    public static String offset(long pos) {
      return pos < 0 ? "-1" : Offset.at(pos).format();
    }
  }

  /** A refusal: HTTP status, error code, message (rendered as {@code {error:{code,message}}}). */
  public record Refusal(int status, String code, String message) {}

  public SubscriptionSpec spec;
  public String baseUrl;
  public long createdAtMillis;
  public byte[] tokenKey;
  public final TreeMap<String, Link> links = new TreeMap<>();
  public long generation;
  public String wakeId;
  public Map<String, Long> snapshot = Map.of();
  public String holder;
  public long leaseUntilMillis;
  /** Known tails of linked streams (in memory only). */
  public final Map<String, Long> tails = new HashMap<>();

  public boolean exists() {
    return spec != null;
  }

  public SubState apply(SubEvent e) {
    if (e instanceof SubEvent.Created c) {
      reset();
      spec = c.spec();
      baseUrl = c.baseUrl();
      createdAtMillis = c.createdAtMillis();
      tokenKey = c.tokenKey();
      c.globLinks().forEach((p, a) -> link(p, false, a));
      c.explicitLinks().forEach((p, a) -> link(p, true, a));
    } else if (e instanceof SubEvent.Linked l) {
      link(l.path(), l.explicit(), l.acked());
    } else if (e instanceof SubEvent.Unlinked u) {
      Link l = links.get(u.path());
      if (l != null) {
        l.explicit = false;
        if (!l.glob) links.remove(u.path());
      }
    } else if (e instanceof SubEvent.Dropped d) {
      links.remove(d.path());
      tails.remove(d.path());
    } else if (e instanceof SubEvent.WakeStarted w) {
      generation = w.generation();
      wakeId = w.wakeId();
      snapshot = Map.copyOf(w.snapshot());
      holder = null;
      leaseUntilMillis = 0;
    } else if (e instanceof SubEvent.Claimed c) {
      holder = c.holder();
      leaseUntilMillis = c.leaseUntilMillis();
    } else if (e instanceof SubEvent.LeaseExtended x) {
      leaseUntilMillis = x.leaseUntilMillis();
    } else if (e instanceof SubEvent.Acked a) {
      a.positions().forEach((p, pos) -> {
        Link l = links.get(p);
        if (l != null && pos > l.acked) l.acked = pos;
      });
    } else if (e instanceof SubEvent.WakeEnded w) {
      if (w.generation() == generation) endWake();
    } else if (e instanceof SubEvent.Deleted) {
      reset();
    }
    return this;
  }

  private void reset() {
    spec = null;
    baseUrl = null;
    tokenKey = null;
    links.clear();
    tails.clear();
    endWake();
    // The generation survives a delete and re-create, so tokens of the old subscription stay stale.
  }

  private void endWake() {
    wakeId = null;
    snapshot = Map.of();
    holder = null;
    leaseUntilMillis = 0;
  }

  private void link(String path, boolean explicit, long acked) {
    Link l = links.get(path);
    if (l == null) {
      links.put(path, new Link(explicit, !explicit, acked));
    } else if (explicit) {
      l.explicit = true;
    } else {
      l.glob = true;
    }
  }

  // ------------------------------------------------------------------ rules

  /** The tail of a linked stream: known, or else its acked position (nothing known to be pending). */
  public long tail(String path) {
    Long t = tails.get(path);
    if (t != null) return t;
    Link l = links.get(path);
    return l == null ? 0 : Math.max(0, l.acked);
  }

  public List<StreamInfo> streams() {
    var out = new ArrayList<StreamInfo>(links.size());
    links.forEach((p, l) -> out.add(new StreamInfo(p, l.linkType(), l.acked, tail(p))));
    return out;
  }

  /** The streams of the current wake, with the tails it was started for. */
  public List<StreamInfo> wakeStreams() {
    var out = new ArrayList<StreamInfo>(links.size());
    links.forEach((p, l) -> out.add(new StreamInfo(p, l.linkType(), l.acked, snapshot.getOrDefault(p, tail(p)))));
    return out;
  }

  public boolean pending() {
    for (var e : links.entrySet()) {
      if (tail(e.getKey()) > e.getValue().acked) return true;
    }
    return false;
  }

  /** The first stream with pending data (what a pull-wake event names), or null. */
  public String firstPending() {
    for (var e : links.entrySet()) {
      if (tail(e.getKey()) > e.getValue().acked) return e.getKey();
    }
    return null;
  }

  /** Tails of every linked stream now: the snapshot a new wake records. */
  public Map<String, Long> snapshotNow() {
    var m = new LinkedHashMap<String, Long>();
    for (String p : links.keySet()) m.put(p, tail(p));
    return m;
  }

  /** A pull-wake claim still held at {@code nowMillis}. */
  public boolean claimedAt(long nowMillis) {
    return holder != null && leaseUntilMillis > nowMillis;
  }

  /**
   * Checks a callback, ack or release against the current wake: 401 for a token this subscription
   * never issued, 409 FENCED for a stale generation or wake id (checklist §15).
   */
  public Refusal checkWake(String token, String wakeIdInBody, Long generationInBody) {
    long tokenGen = Tokens.generationOf(tokenKey, spec == null ? "" : subscriptionIdForTokens, token);
    if (tokenGen < 0) return new Refusal(401, "TOKEN_INVALID", "missing or invalid bearer token");
    if (wakeId == null || tokenGen != generation || generationInBody == null || generationInBody != generation
        || !wakeId.equals(wakeIdInBody)) {
      return new Refusal(409, "FENCED", "wake generation is stale");
    }
    return null;
  }

  /** Set by the entity: the id tokens are bound to. */
  public String subscriptionIdForTokens = "";

  /**
   * Validates acks ({@code stream} -> offset text) and returns the positions to record, or throws
   * the refusal: unknown stream or an offset that regresses or passes the tail is 409 INVALID_OFFSET.
   */
  public Map<String, Long> checkAcks(Map<String, String> acks) {
    var out = new LinkedHashMap<String, Long>();
    for (var a : acks.entrySet()) {
      Link l = links.get(a.getKey());
      if (l == null) throw new RefusedException(new Refusal(409, "INVALID_OFFSET", "ack names a stream the subscription does not link: " + a.getKey()));
      Offset o = Offset.parseOrNull(a.getValue());
      if (o == null || o.isBeyondAnyTail()) {
        throw new RefusedException(new Refusal(400, "INVALID_REQUEST", "ack offset must be a stream offset: " + a.getValue()));
      }
      long pos = o.position();
      if (pos < l.acked) throw new RefusedException(new Refusal(409, "INVALID_OFFSET", "ack offset regresses the acked offset of " + a.getKey()));
      if (pos > Math.max(tail(a.getKey()), snapshot.getOrDefault(a.getKey(), -1L))) {
        throw new RefusedException(new Refusal(409, "INVALID_OFFSET", "ack offset is beyond the tail of " + a.getKey()));
      }
      out.put(a.getKey(), pos);
    }
    return out;
  }

  /** Carries a {@link Refusal} out of a rule. */
  public static final class RefusedException extends RuntimeException {
    private final Refusal refusal;

    public RefusedException(Refusal r) {
      super(r.message(), null, false, false);
      this.refusal = r;
    }

    public Refusal refusal() {
      return refusal;
    }
  }
}
