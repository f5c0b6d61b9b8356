package dev.sluice.core.rules;

import dev.sluice.core.Bytes;
import dev.sluice.core.error.ErrorCode;
import dev.sluice.core.error.Rejection;
import dev.sluice.core.model.ForkOrigin;
import dev.sluice.core.model.ProducerState;
import dev.sluice.core.model.Segment;
import dev.sluice.core.model.StreamEvent;
import dev.sluice.core.model.StreamState;
import dev.sluice.core.model.StreamStatus;
import dev.sluice.core.protocol.ContentTypes;
import dev.sluice.core.protocol.Offset;
import dev.sluice.core.protocol.ProducerClaim;
import dev.sluice.core.rules.Commands.AppendResult;
import dev.sluice.core.rules.Commands.CreateResult;
import dev.sluice.core.rules.Commands.ForkGrant;
import dev.sluice.core.rules.Commands.StreamInfo;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Every stream rule of PROTOCOL.md as pure functions: {@code (state, command, now) -> decision}.
 * No IO, no clock; the entity supplies {@code now}, fresh store ids and any data the rule needs.
 * {@link StreamState#apply} is the matching {@code evolve}.
 */
public final class StreamRules {
  private StreamRules() {}

  // ---------------------------------------------------------------- expiry (checklist §14)

  /**
   * A stream expires once {@code Stream-Expires-At} passes, or once it has been idle longer than
   * its TTL. Idle time counts from the later of the last write and the last read that reached
   * the origin ({@code lastAccessMillis}, kept in memory by the entity).
   */
  public static boolean isExpired(StreamState s, long lastAccessMillis, long now) {
    if (s.status() != StreamStatus.ACTIVE) return false;
    if (s.expiresAtMillis() != null && now >= s.expiresAtMillis()) return true;
    if (s.ttlSeconds() != null) {
      long last = Math.max(lastAccessMillis, s.lastWriteMillis());
      // Compare the idle time, not last + ttl: a huge (but valid) TTL must not overflow into "expired".
      long ttlMillis = s.ttlSeconds() > Long.MAX_VALUE / 1000 ? Long.MAX_VALUE : s.ttlSeconds() * 1000L;
      return now - last >= ttlMillis;
    }
    return false;
  }

  /**
   * Expiry makes the path nonexistent; with live forks the data stays pinned and the path
   * behaves as soft-deleted (checklist §14: "404 or 410 are both accepted").
   */
  public static List<StreamEvent> expire(StreamState s, long now) {
    return s.forks().isEmpty() ? List.of(new StreamEvent.Purged(s.storeId())) : List.of(new StreamEvent.SoftDeleted(now));
  }

  // ---------------------------------------------------------------- create (PROTOCOL.md §5.1)

  /** Outcome of checking a PUT against the current state, before any fork source is contacted. */
  public sealed interface CreateCheck {
    /** Path free: create it (for a fork, after getting a {@link ForkGrant}). */
    enum Proceed implements CreateCheck { INSTANCE }

    record Done(Decision<CreateResult> decision) implements CreateCheck {}
  }

  public static CreateCheck checkCreate(StreamState s, Commands.Create c) {
    if (s.status() == StreamStatus.SOFT_DELETED) {
      return new CreateCheck.Done(Decision.reject(Rejection.of(ErrorCode.STREAM_SOFT_DELETED,
          "stream is soft-deleted while forks still reference it")));
    }
    if (s.status() == StreamStatus.NONE) return CreateCheck.Proceed.INSTANCE;
    if (!sameConfig(s, c)) {
      return new CreateCheck.Done(Decision.reject(Rejection.of(ErrorCode.CONFIG_MISMATCH,
          "stream exists with a different configuration")));
    }
    return new CreateCheck.Done(Decision.accept(List.of(), new CreateResult(false, info(s))));
  }

  /** Idempotent re-create compares the normalized config (checklist §2, §3 "Idempotent fork"). */
  static boolean sameConfig(StreamState s, Commands.Create c) {
    if (c.closed() != s.closed()) return false;
    if ((c.fork() == null) != (s.fork() == null)) return false;
    if (c.fork() != null) {
      ForkOrigin o = s.fork();
      if (!c.fork().sourcePath().equals(o.sourcePath())) return false;
      if (c.fork().subOffset() != o.subOffset()) return false;
      if (c.fork().offset() != null && !c.fork().offset().equals(o.forkOffset())) return false;
      if (c.contentType() != null && !ContentTypes.sameType(c.contentType(), s.contentType())) return false;
      if (c.ttlSeconds() == null && c.expiresAtMillis() == null && o.expiryInherited()) return true;
    } else {
      String want = c.contentType() == null ? ContentTypes.DEFAULT : c.contentType();
      if (!ContentTypes.sameType(want, s.contentType())) return false;
    }
    return Objects.equals(c.ttlSeconds(), s.ttlSeconds()) && Objects.equals(c.expiresAtMillis(), s.expiresAtMillis());
  }

  /**
   * Creates the path (state must be {@link StreamStatus#NONE}). For a fork, {@code grant} comes
   * from the source and {@code prefix} is the sub-offset prefix of the anchor unit (or null).
   */
  public static Decision<CreateResult> create(
      StreamState s, Commands.Create c, long newStoreId, ForkGrant grant, Bytes prefix, long now) {
    if (s.status() != StreamStatus.NONE) throw new IllegalStateException("create on existing stream");
    String ct;
    Long ttl = c.ttlSeconds();
    Long expiresAt = c.expiresAtMillis();
    List<Segment> inherited = List.of();
    long start = 0;
    ForkOrigin origin = null;
    if (c.fork() != null) {
      Objects.requireNonNull(grant, "fork needs a grant");
      ct = c.contentType() != null ? c.contentType() : grant.contentType();
      boolean inherit = ttl == null && expiresAt == null;
      if (inherit) {
        ttl = grant.ttlSeconds();
        expiresAt = grant.expiresAtMillis();
      }
      inherited = grant.inherited();
      start = grant.forkOffset().position();
      origin = new ForkOrigin(c.fork().sourcePath(), c.fork().offset(), grant.forkOffset(), c.fork().subOffset(), inherit);
    } else {
      ct = c.contentType() != null ? c.contentType() : ContentTypes.DEFAULT;
    }
    Payload body = Payloads.forContentType(ct, c.body());
    if (body.error() == Payload.Error.INVALID_JSON) {
      return Decision.reject(Rejection.of(ErrorCode.INVALID_JSON, "body is not valid JSON"));
    }
    var events = new ArrayList<StreamEvent>(3);
    events.add(new StreamEvent.Created(newStoreId, ct, ttl, expiresAt, inherited, start, origin, now));
    long tail = start;
    boolean closedByAppend = false;
    if (prefix != null && !prefix.isEmpty()) {
      boolean closes = c.closed() && body.hasNoData();
      events.add(StreamEvent.Appended.of(newStoreId, tail, prefix, null, null, null, null, closes, now));
      tail += prefix.length();
      closedByAppend = closes;
    }
    if (!body.hasNoData()) {
      events.add(StreamEvent.Appended.of(newStoreId, tail, body.unit(), null, null, null, null, c.closed(), now));
      tail += body.unit().length();
      closedByAppend = c.closed();
    }
    if (c.closed() && !closedByAppend) events.add(new StreamEvent.Closed(null, null, null, null, now));
    return Decision.accept(events, new CreateResult(true, new StreamInfo(ct, Offset.at(tail), c.closed(), ttl, expiresAt)));
  }

  // ---------------------------------------------------------------- fork source side (PROTOCOL.md fork §)

  /** The source's half of a fork: validate and pin this stream's data for {@code childPath}. */
  public static Decision<ForkGrant> acquireFork(StreamState s, String childPath, Commands.ForkRequest f, String requestedCt) {
    if (s.status() == StreamStatus.NONE) return Decision.reject(Rejection.of(ErrorCode.FORK_SOURCE_NOT_FOUND, "fork source not found"));
    if (s.status() == StreamStatus.SOFT_DELETED) {
      return Decision.reject(Rejection.of(ErrorCode.FORK_SOURCE_SOFT_DELETED, "fork source is soft-deleted"));
    }
    if (requestedCt != null && !ContentTypes.sameType(requestedCt, s.contentType())) {
      return Decision.reject(Rejection.of(ErrorCode.CONTENT_TYPE_MISMATCH, "fork content type differs from the source"));
    }
    long at = f.offset() == null ? s.tail() : f.offset().positionOrMax();
    if (at > s.tail()) return Decision.reject(Rejection.of(ErrorCode.FORK_OFFSET_BEYOND_TAIL, "fork offset is beyond the source tail"));
    if (f.subOffset() > 0 && at == s.tail()) {
      return Decision.reject(Rejection.of(ErrorCode.FORK_SUB_OFFSET_INVALID, "no data at the fork offset for a sub-offset"));
    }
    var inherited = clip(s.readPath(), at);
    long anchor = -1;
    for (Segment seg : s.readPath()) if (seg.start() <= at && at < seg.end()) anchor = seg.storeId();
    var grant = new ForkGrant(s.contentType(), s.ttlSeconds(), s.expiresAtMillis(), inherited, Offset.at(at), anchor);
    List<StreamEvent> events = s.forks().contains(childPath) ? List.of() : List.of(new StreamEvent.ForkAdded(childPath));
    return Decision.accept(events, grant);
  }

  /** The read path up to (excluding) {@code at}; empty segments are dropped. */
  public static List<Segment> clip(List<Segment> path, long at) {
    var out = new ArrayList<Segment>();
    for (Segment seg : path) {
      if (seg.start() >= at) break;
      long end = Math.min(seg.end(), at);
      if (end > seg.start()) out.add(new Segment(seg.storeId(), seg.start(), end));
    }
    return List.copyOf(out);
  }

  /**
   * The first {@code n} bytes (binary/text) or flattened messages (JSON) of the anchor unit;
   * null when {@code n} exceeds it (checklist §3 {@code Stream-Fork-Sub-Offset}).
   */
  public static Bytes subOffsetPrefix(Bytes unit, boolean json, long n) {
    if (json) {
      var messages = Payloads.jsonMessages(unit);
      if (n > messages.size()) return null;
      return Payloads.join(messages.subList(0, (int) n));
    }
    if (n > unit.length()) return null;
    return unit.slice(0, (int) n);
  }

  /** A fork released its pin; a soft-deleted source with no forks left is purged (cascading GC). */
  public static List<StreamEvent> releaseFork(StreamState s, String childPath) {
    if (!s.forks().contains(childPath)) return List.of();
    var events = new ArrayList<StreamEvent>(2);
    events.add(new StreamEvent.ForkReleased(childPath));
    if (s.status() == StreamStatus.SOFT_DELETED && s.forks().size() == 1) events.add(new StreamEvent.Purged(s.storeId()));
    return events;
  }

  // ---------------------------------------------------------------- delete (checklist §7)

  /** First half of DELETE: 404/410, or which forks must confirm they still exist. */
  public static Rejection checkDelete(StreamState s) {
    return missingOrGone(s);
  }

  /** Second half: given the forks that confirmed they are alive, purge or soft-delete. */
  public static List<StreamEvent> delete(StreamState s, Set<String> aliveForks, long now) {
    var events = new ArrayList<StreamEvent>();
    for (String f : s.forks()) if (!aliveForks.contains(f)) events.add(new StreamEvent.ForkReleased(f));
    events.add(aliveForks.isEmpty() ? new StreamEvent.Purged(s.storeId()) : new StreamEvent.SoftDeleted(now));
    return events;
  }

  // ---------------------------------------------------------------- append and close (PROTOCOL.md §5.2)

  /**
   * Decides a POST. The HTTP layer has already rejected header syntax errors, an empty body
   * without close and a missing content type (checklist §4 error precedence); this applies the
   * rest in the precedence of checklist §4: existence, closed, content type, producer, Stream-Seq,
   * then JSON validity.
   */
  public static Decision<AppendResult> append(StreamState s, Commands.Append c, long now) {
    Rejection missing = missingOrGone(s);
    if (missing != null) return Decision.reject(missing);
    ProducerClaim p = c.producer();
    ProducerState ps = p == null ? null : s.producers().get(p.id());
    if (s.closed()) return appendToClosed(s, c, ps);
    if (!c.isCloseOnly() && !ContentTypes.sameType(c.contentType(), s.contentType())) {
      return Decision.reject(Rejection.of(ErrorCode.CONTENT_TYPE_MISMATCH, "content type does not match the stream"));
    }
    if (p != null) {
      ProducerCheck check = checkProducer(ps, p);
      if (check.rejection != null) return Decision.reject(check.rejection);
      if (check.duplicate) return Decision.accept(List.of(), new AppendResult(s.tailOffset(), false, true, ps.epoch(), ps.lastSeq()));
    }
    // Producer dedupe runs before the Stream-Seq check, so a retry carrying both gets 204 (checklist §4).
    if (c.streamSeq() != null && s.lastStreamSeq() != null && compareUtf8(c.streamSeq(), s.lastStreamSeq()) <= 0) {
      return Decision.reject(Rejection.of(ErrorCode.SEQ_CONFLICT, "Stream-Seq is not greater than the last one"));
    }
    if (!c.isCloseOnly()) {
      if (c.payload().error() == Payload.Error.INVALID_JSON) return Decision.reject(Rejection.of(ErrorCode.INVALID_JSON, "body is not valid JSON"));
      if (c.payload().error() == Payload.Error.EMPTY_ARRAY) return Decision.reject(Rejection.of(ErrorCode.EMPTY_JSON_ARRAY, "empty JSON array"));
    }
    String pid = p == null ? null : p.id();
    Long epoch = p == null ? null : p.epoch();
    Long seq = p == null ? null : p.seq();
    if (c.isCloseOnly()) {
      return Decision.accept(List.of(new StreamEvent.Closed(pid, epoch, seq, c.streamSeq(), now)),
          new AppendResult(s.tailOffset(), true, false, epoch, seq));
    }
    var unit = c.payload().unit();
    var ev = StreamEvent.Appended.of(s.storeId(), s.tail(), unit, pid, epoch, seq, c.streamSeq(), c.close(), now);
    return Decision.accept(List.of(ev), new AppendResult(Offset.at(s.tail() + unit.length()), c.close(), false, epoch, seq));
  }

  private static Decision<AppendResult> appendToClosed(StreamState s, Commands.Append c, ProducerState ps) {
    ProducerClaim p = c.producer();
    if (p != null) {
      // The request that closed the stream, retried (even with another body): idempotent success (checklist §6).
      if (p.id().equals(s.closedByProducer()) && Objects.equals(p.epoch(), s.closedByEpoch())
          && Objects.equals(p.seq(), s.closedBySeq())) {
        return Decision.accept(List.of(), new AppendResult(s.tailOffset(), true, true, p.epoch(), p.seq()));
      }
      // Producer state survives close: a zombie still learns it is fenced (checklist §6).
      if (ps != null && p.epoch() < ps.epoch()) return Decision.reject(Rejection.staleEpoch(ps.epoch()));
      return Decision.reject(Rejection.closed(s.tailOffset()));
    }
    if (c.isCloseOnly()) return Decision.accept(List.of(), new AppendResult(s.tailOffset(), true, false, null, null));
    return Decision.reject(Rejection.closed(s.tailOffset()));
  }

  private record ProducerCheck(Rejection rejection, boolean duplicate) {}

  /** PROTOCOL.md §5.2.1 validation table. */
  private static ProducerCheck checkProducer(ProducerState ps, ProducerClaim p) {
    if (ps == null) {
      return p.seq() == 0 ? new ProducerCheck(null, false) : new ProducerCheck(Rejection.seqGap(0, p.seq()), false);
    }
    if (p.epoch() < ps.epoch()) return new ProducerCheck(Rejection.staleEpoch(ps.epoch()), false);
    if (p.epoch() > ps.epoch()) {
      return p.seq() == 0 ? new ProducerCheck(null, false)
          : new ProducerCheck(Rejection.of(ErrorCode.PRODUCER_EPOCH_SEQ_NOT_ZERO, "a new epoch must start at seq 0"), false);
    }
    if (p.seq() <= ps.lastSeq()) return new ProducerCheck(null, true);
    if (p.seq() == ps.lastSeq() + 1) return new ProducerCheck(null, false);
    return new ProducerCheck(Rejection.seqGap(ps.lastSeq() + 1, p.seq()), false);
  }

  /** {@code Stream-Seq} order: byte-wise over UTF-8, case-sensitive (checklist §4). */
  public static int compareUtf8(String a, String b) {
    return java.util.Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }

  // ---------------------------------------------------------------- reads

  public static Rejection checkReadable(StreamState s) {
    return missingOrGone(s);
  }

  /** 404 for a missing (or expired, already purged) stream, 410 for a soft-deleted one; null if active. */
  private static Rejection missingOrGone(StreamState s) {
    if (s.status() == StreamStatus.NONE) return Rejection.of(ErrorCode.STREAM_NOT_FOUND, "stream not found");
    if (s.status() == StreamStatus.SOFT_DELETED) return Rejection.of(ErrorCode.STREAM_GONE, "stream is soft-deleted");
    return null;
  }

  public static StreamInfo info(StreamState s) {
    return new StreamInfo(s.contentType(), s.tailOffset(), s.closed(), s.ttlSeconds(), s.expiresAtMillis());
  }
}
