package dev.sluice.replication;

import dev.sluice.replication.Bugs.Bug;
import dev.sluice.replication.Effect.Committed;
import dev.sluice.replication.Effect.Persist;
import dev.sluice.replication.Effect.Send;
import dev.sluice.replication.Message.Ack;
import dev.sluice.replication.Message.Append;
import dev.sluice.replication.Message.AskTail;
import dev.sluice.replication.Message.Commit;
import dev.sluice.replication.Message.Fence;
import dev.sluice.replication.Message.Fenced;
import dev.sluice.replication.Message.Gap;
import dev.sluice.replication.Message.Probe;
import dev.sluice.replication.Message.ProbeOk;
import dev.sluice.replication.Message.Promise;
import dev.sluice.replication.Message.Read;
import dev.sluice.replication.Message.ReadOk;
import dev.sluice.replication.Message.ReadUnavailable;
import dev.sluice.replication.Message.Reject;
import dev.sluice.replication.Message.TailInfo;
import dev.sluice.replication.Message.Tick;
import dev.sluice.replication.Message.ToReplica;
import dev.sluice.replication.Message.Unknown;
import java.util.ArrayList;
import java.util.List;

/**
 * The acceptor side of the protocol for one (replica, stream): a pure function from (durable meta, a
 * read-only view of the log, sender, message) to (next meta, effects). Log changes leave as data in
 * {@link Persist}; every reply that depends on a change comes after that Persist, so the driver's
 * fsync-before-send rule makes promises and acks survive crashes.
 *
 * <pre>
 *   Fence(e)   e > promised  -> persist promised=e, Promise{tail, tailEpoch, lac}
 *              otherwise     -> Reject{promised}             (limbo: Unknown, after persisting e)
 *   Append(e)  e < promised  -> Fenced{promised}
 *              prev missing  -> Gap{tail, lac}
 *              tailEpoch = e -> extend: persist entries past our tail, Ack{tail}
 *              last <= a.lac -> committed fill (below), Ack{last}
 *              otherwise     -> adopt e's log: keep through max(prev, lac), write the rest, tailEpoch = e, Ack{tail}
 *   Read       limbo -> ReadUnavailable; else one page up to lac (up to tail for the promised recoverer)
 * </pre>
 *
 * <p><b>Committed fill.</b> A writer catches a far-behind replica up in bounded chunks, partly with
 * entries it no longer holds and forwards from a peer. Adopting the writer's epoch on a chunk that
 * stops short of the writer's recovered tail would break the invariant recovery relies on (a replica
 * with tailEpoch e holds e's whole recovered log). So a chunk made only of committed entries
 * ({@code lastSeq <= a.lac}) is taken without adopting: entries at or below our lac are skipped; the
 * rest are compared by content with ours; if all agree we only extend and raise lac; at the first
 * disagreement everything of ours from there on was never committed (our log follows one writer's log,
 * which left the committed chain at that seq) and is replaced. Afterwards the log is unchanged above the
 * chunk, or it is committed entries only ({@code lac == tail}); both keep recovery's choice safe.
 *
 * <p>Stateless and thread-safe; the state lives in {@link ReplicaState} and the driver's log.
 */
public final class Replica {
  private Replica() {}

  /** The next durable meta and the effects to run in order. */
  public record Step(ReplicaState state, List<Effect> effects) {
    public Step {
      effects = List.copyOf(effects);
    }
  }

  public static Step handle(ReplicaState s, ReplicaLog log, Address from, ToReplica m, Bugs bugs) {
    if (!m.stream().equals(s.stream())) throw new IllegalArgumentException("message for " + m.stream() + " sent to " + s.stream());
    if (log.tailSeq() != s.tailSeq()) throw new IllegalStateException("log view tail " + log.tailSeq() + " != meta tail " + s.tailSeq());
    // An if-chain over the sealed ToReplica: Java 17 has no pattern switch; keep it exhaustive by hand.
    if (m instanceof Fence f) return fence(s, from, f);
    if (m instanceof Append a) return append(s, log, from, a, bugs);
    if (m instanceof Commit c) return commit(s, c);
    if (m instanceof Read r) return read(s, log, from, r, bugs);
    if (m instanceof AskTail) return reply(s, from, new TailInfo(s.stream(), s.replica(), s.promised(), s.tailSeq(), s.limbo(), s.tailEpoch()));
    if (m instanceof TailInfo t) return tailInfo(s, t);
    if (m instanceof Tick) return tick(s);
    if (m instanceof Probe p) return probe(s, from, p);
    throw new IllegalArgumentException("unhandled " + m);
  }

  private static Step fence(ReplicaState s, Address from, Fence f) {
    if (s.limbo()) {
      // Remember the epoch anyway: appends from older writers must still be refused after limbo ends.
      if (f.epoch() <= s.promised()) return reply(s, from, new Unknown(s.stream(), s.replica(), f.epoch()));
      ReplicaState next = s.withPromised(f.epoch());
      return persistThen(s, next, LogChange.NONE, from, new Unknown(s.stream(), s.replica(), f.epoch()));
    }
    if (f.epoch() <= s.promised()) return reply(s, from, new Reject(s.stream(), s.replica(), f.epoch(), s.promised()));
    ReplicaState next = s.withPromised(f.epoch());
    return persistThen(s, next, LogChange.NONE, from,
        new Promise(s.stream(), s.replica(), f.epoch(), s.diskUuid(), s.tailSeq(), s.tailEpoch(), s.lac()));
  }

  private static Step append(ReplicaState s, ReplicaLog log, Address from, Append a, Bugs bugs) {
    if (a.epoch() < s.promised() && !bugs.has(Bug.ACCEPT_STALE_EPOCH)) {
      return reply(s, from, new Fenced(s.stream(), s.replica(), a.epoch(), s.promised()));
    }
    if (!prefixMatches(s, log, a)) return reply(s, from, new Gap(s.stream(), s.replica(), a.epoch(), s.tailSeq(), s.lac()));
    long promised = Math.max(s.promised(), a.epoch());
    long tail = s.tailSeq();
    List<Entry> entries = a.entries();
    LogChange change;
    long newTail;
    long tailEpoch = a.epoch();
    long ackSeq;
    if (s.tailEpoch() == a.epoch()) {
      // Our log is a prefix of this writer's: only what lies past our tail is new (a duplicate or a
      // reordered older append changes nothing).
      change = a.lastSeq() <= tail ? LogChange.NONE : LogChange.append(entries.subList((int) (tail - a.prevSeq()), entries.size()));
      newTail = Math.max(tail, a.lastSeq());
      ackSeq = newTail;
    } else if (a.lastSeq() <= a.lac()) {
      return fill(s, log, from, a, promised, bugs);
    } else {
      // Adopt this writer's log. Our committed prefix is the same as the writer's whatever epochs
      // stamp it, so keep it (never truncate at or below lac); any other suffix of ours was never acked
      // under this epoch and would break "tailEpoch's log contains everything we hold".
      long keep = Math.max(a.prevSeq(), s.lac());
      if (Math.max(keep, a.lastSeq()) < a.recoveredTail()) {
        // Adopting now would leave us with part of the writer's recovered log (a re-stamp must come whole).
        return reply(s, from, new Gap(s.stream(), s.replica(), a.epoch(), s.tailSeq(), s.lac()));
      }
      List<Entry> rest = keep >= a.lastSeq() ? List.of() : entries.subList((int) (keep - a.prevSeq()), entries.size());
      change = keep < tail ? LogChange.replace(keep, rest) : LogChange.append(rest);
      newTail = Math.max(keep, a.lastSeq());
      ackSeq = newTail;
    }
    // Only the writer's log up to our new tail is known to match, so only that much of its lac applies.
    long lac = Math.max(s.lac(), Math.min(a.lac(), newTail));
    ReplicaState ns = maybeLeaveLimbo(s.withLog(promised, newTail, tailEpoch, lac));
    Ack ack = new Ack(s.stream(), s.replica(), a.epoch(), ackSeq, !ns.limbo());
    if (ns.equals(s) && change.isEmpty()) return reply(s, from, ack);
    return persistThen(s, ns, change, from, ack);
  }

  /** The committed fill of the class comment: every entry of {@code a} is committed, and we keep our tailEpoch. */
  private static Step fill(ReplicaState s, ReplicaLog log, Address from, Append a, long promised, Bugs bugs) {
    long tail = s.tailSeq();
    long last = a.lastSeq();
    long start = Math.max(a.prevSeq(), s.lac()); // at or below our lac we already hold the committed entries
    LogChange change = LogChange.NONE;
    long newTail = tail;
    if (last > start) {
      List<Entry> theirs = a.entries().subList((int) (start - a.prevSeq()), a.entries().size());
      long overlapEnd = Math.min(last, tail);
      long mismatch = -1;
      long at = start;
      while (at < overlapEnd && mismatch < 0) {
        List<Entry> ours = log.entries(at, (int) Math.min(Integer.MAX_VALUE, overlapEnd - at), Message.MAX_BATCH_BYTES);
        if (ours.isEmpty()) throw new IllegalStateException("log view returned nothing after " + at + " below its tail " + tail);
        for (Entry e : ours) {
          if (!e.sameContent(theirs.get((int) (e.seq() - start - 1)))) {
            mismatch = e.seq();
            break;
          }
        }
        at += ours.size();
      }
      if (mismatch < 0 && bugs.has(Bug.FILL_TRUNCATES) && tail > last) mismatch = Math.max(start, overlapEnd) + 1;
      if (mismatch > 0) {
        change = LogChange.replace(mismatch - 1, theirs.subList((int) (mismatch - 1 - start), theirs.size()));
        newTail = last;
      } else if (last > tail) {
        change = LogChange.append(theirs.subList((int) (tail - start), theirs.size()));
        newTail = last;
      }
    }
    long lac = Math.max(s.lac(), last);
    // Holding exactly the committed chain through the writer's recovered tail is holding the writer's log:
    // adopt it then (a replica refilled after a lost disk must not keep an epoch older than its peers').
    boolean whole = newTail == last && last >= a.recoveredTail();
    long tailEpoch = whole || bugs.has(Bug.FILL_ADOPTS) ? a.epoch() : s.tailEpoch();
    ReplicaState ns = maybeLeaveLimbo(s.withLog(promised, newTail, tailEpoch, lac));
    Ack ack = new Ack(s.stream(), s.replica(), a.epoch(), last, !ns.limbo());
    if (ns.equals(s) && change.isEmpty()) return reply(s, from, ack);
    return persistThen(s, ns, change, from, ack);
  }

  /**
   * Raft's log-matching check, relaxed at or below our lac: a committed prefix is the same on every
   * replica even when recovery re-stamped it with another epoch, so comparing epochs there would
   * refuse a correct catch-up forever.
   */
  private static boolean prefixMatches(ReplicaState s, ReplicaLog log, Append a) {
    long prev = a.prevSeq();
    if (prev == 0) return true;
    if (prev > s.tailSeq()) return false;
    if (prev <= s.lac()) return true;
    if (s.tailEpoch() == a.epoch()) return true; // our whole log is a prefix of this writer's
    return log.epochAt(prev) == a.prevEpoch();
  }

  private static Step commit(ReplicaState s, Commit c) {
    // Only a log known to be a prefix of this writer's may trust its lac.
    if (c.epoch() != s.tailEpoch() || c.epoch() < s.promised()) return new Step(s, List.of());
    long lac = Math.max(s.lac(), Math.min(c.lac(), s.tailSeq()));
    if (lac == s.lac()) return new Step(s, List.of());
    ReplicaState ns = maybeLeaveLimbo(s.withLac(lac));
    return persistThen(s, ns, LogChange.NONE, null, null);
  }

  private static Step read(ReplicaState s, ReplicaLog log, Address from, Read r, Bugs bugs) {
    if (s.limbo()) return reply(s, from, new ReadUnavailable(s.stream(), s.replica(), r.requestId()));
    long upper;
    if (r.recoveryEpoch() != Epoch.NONE) {
      // The recovering owner must see the uncommitted tail to adopt it, but only while its promise stands.
      if (r.recoveryEpoch() != s.promised()) return reply(s, from, new ReadUnavailable(s.stream(), s.replica(), r.requestId()));
      upper = s.tailSeq();
    } else {
      upper = bugs.has(Bug.READ_ABOVE_LAC) ? s.tailSeq() : s.lac();
    }
    long from0 = Math.max(0, r.fromSeq());
    long max = Math.min(Math.max(0, r.max()), upper - from0);
    long maxBytes = Math.min(Math.max(0, r.maxBytes()), Message.MAX_BATCH_BYTES);
    List<Entry> entries = max <= 0 ? List.of() : log.entries(from0, (int) Math.min(max, Integer.MAX_VALUE), maxBytes);
    // The view is trusted for content, not for the limits: never hand out more than asked or above upper.
    entries = ReplicaLog.page(entries.stream().takeWhile(e -> e.seq() <= upper).toList(), (int) Math.max(0, max), maxBytes);
    long fromEpoch = from0 <= upper ? log.epochAt(from0) : Epoch.NONE;
    return reply(s, from, new ReadOk(s.stream(), s.replica(), r.requestId(), r.fromSeq(), fromEpoch, entries, s.lac(), upper));
  }

  private static Step probe(ReplicaState s, Address from, Probe p) {
    // A limbo replica may have forgotten a newer promise, so its word proves nothing.
    if (s.limbo()) return reply(s, from, new Unknown(s.stream(), s.replica(), p.epoch()));
    if (p.epoch() < s.promised()) return reply(s, from, new Fenced(s.stream(), s.replica(), p.epoch(), s.promised()));
    return reply(s, from, new ProbeOk(s.stream(), s.replica(), p.epoch(), p.nonce()));
  }

  private static Step tailInfo(ReplicaState s, TailInfo t) {
    if (!s.limbo() || t.limbo() || t.replica() == s.replica()) return new Step(s, List.of());
    int heard = s.limboHeard() | (1 << t.replica());
    long target = Math.max(s.limboTarget(), t.tailSeq());
    long targetEpoch = Math.max(s.limboTargetEpoch(), t.tailEpoch());
    // A peer's promise is one we may have made too before losing the disk: never accept below it.
    long promised = Math.max(s.promised(), t.promised());
    ReplicaState ns = maybeLeaveLimbo(s.withLimbo(true, heard, target, targetEpoch, promised));
    if (ns.equals(s)) return new Step(s, List.of());
    return persistThen(s, ns, LogChange.NONE, null, null);
  }

  private static Step tick(ReplicaState s) {
    if (!s.limbo()) return new Step(s, List.of());
    List<Effect> out = new ArrayList<>();
    for (int peer = 0; peer < Quorum.REPLICAS; peer++) {
      if (peer != s.replica() && (s.limboHeard() & (1 << peer)) == 0) {
        out.add(new Send(Address.replica(peer), new AskTail(s.stream(), s.replica())));
      }
    }
    return new Step(s, out);
  }

  /**
   * Limbo ends once every peer reported its tail, our committed prefix reaches the highest of them, and
   * we adopted a writer at least as new as any of theirs. Why every peer: an entry we acked before the
   * disk loss is on at least one other replica, but we cannot know which, and it may still sit above that
   * replica's lac. Why the epoch: once we vote again, the next recovery may need our copy of an entry
   * whose other copy is then lost, and it picks logs by tailEpoch first (a log filled only with committed
   * entries keeps the epoch it had, NONE on a new disk).
   */
  private static ReplicaState maybeLeaveLimbo(ReplicaState s) {
    if (!s.limbo()) return s;
    int everyPeer = ((1 << Quorum.REPLICAS) - 1) & ~(1 << s.replica());
    if ((s.limboHeard() & everyPeer) != everyPeer || s.lac() < s.limboTarget() || s.tailEpoch() < s.limboTargetEpoch()) return s;
    return s.withLimbo(false, 0, 0, Epoch.NONE, s.promised());
  }

  private static Step reply(ReplicaState s, Address to, Message m) {
    return new Step(s, List.of(new Send(to, m)));
  }

  /** Persist, then report a lac move (for materialization), then the reply if there is one. */
  private static Step persistThen(ReplicaState before, ReplicaState ns, LogChange change, Address to, Message m) {
    if (change.tailAfter(before.tailSeq()) != ns.tailSeq()) {
      throw new IllegalStateException(change + " on tail " + before.tailSeq() + " does not give tail " + ns.tailSeq());
    }
    List<Effect> out = new ArrayList<>(3);
    // Only a raised lac may skip the fsync (Persist's doc says why); anything else a reply rests on.
    boolean sync = !change.isEmpty() || !ns.equals(before.withLac(ns.lac()));
    out.add(new Persist(ns, change, sync));
    if (ns.lac() > before.lac()) out.add(new Committed(before.lac(), ns.lac()));
    if (m != null) out.add(new Send(to, m));
    return new Step(ns, out);
  }
}
