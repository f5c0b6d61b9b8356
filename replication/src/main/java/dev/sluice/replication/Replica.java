package dev.sluice.replication;

import dev.sluice.replication.Bugs.Bug;
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
 * The acceptor side of the protocol for one (replica, stream): a pure function from (durable state,
 * sender, message) to (next state, effects). Every reply that depends on a state change comes after
 * the {@link Persist} of that change, so the driver's fsync-before-send rule makes promises and acks
 * survive crashes.
 *
 * <pre>
 *   Fence(e)   e > promised  -> persist promised=e, Promise{tail, tailEpoch, lac}
 *              otherwise     -> Reject{promised}             (limbo: Unknown, after persisting e)
 *   Append(e)  e < promised  -> Fenced{promised}
 *              prev missing  -> Gap{tail, lac}
 *              otherwise     -> persist log/promised/lac, Ack{tail, voting = !limbo}
 *   Read       limbo -> ReadUnavailable; else entries up to lac (up to tail for the promised recoverer)
 * </pre>
 *
 * Stateless and thread-safe; the state lives in {@link ReplicaState}.
 */
public final class Replica {
  private Replica() {}

  /** The next durable state and the effects to run in order. */
  public record Step(ReplicaState state, List<Effect> effects) {
    public Step {
      effects = List.copyOf(effects);
    }
  }

  public static Step handle(ReplicaState s, Address from, ToReplica m, Bugs bugs) {
    if (!m.stream().equals(s.stream())) throw new IllegalArgumentException("message for " + m.stream() + " sent to " + s.stream());
    // An if-chain over the sealed ToReplica: Java 17 has no pattern switch; keep it exhaustive by hand.
    if (m instanceof Fence f) return fence(s, from, f);
    if (m instanceof Append a) return append(s, from, a, bugs);
    if (m instanceof Commit c) return commit(s, c);
    if (m instanceof Read r) return read(s, from, r, bugs);
    if (m instanceof AskTail) return reply(s, from, new TailInfo(s.stream(), s.replica(), s.promised(), s.tailSeq(), s.limbo()));
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
      return persistThen(next, from, new Unknown(s.stream(), s.replica(), f.epoch()));
    }
    if (f.epoch() <= s.promised()) return reply(s, from, new Reject(s.stream(), s.replica(), f.epoch(), s.promised()));
    ReplicaState next = s.withPromised(f.epoch());
    return persistThen(next, from,
        new Promise(s.stream(), s.replica(), f.epoch(), s.diskUuid(), s.tailSeq(), s.tailEpoch(), s.lac()));
  }

  private static Step append(ReplicaState s, Address from, Append a, Bugs bugs) {
    if (a.epoch() < s.promised() && !bugs.has(Bug.ACCEPT_STALE_EPOCH)) {
      return reply(s, from, new Fenced(s.stream(), s.replica(), a.epoch(), s.promised()));
    }
    if (!prefixMatches(s, a)) return reply(s, from, new Gap(s.stream(), s.replica(), a.epoch(), s.tailSeq(), s.lac()));

    // Keep our prefix up to prevSeq, then the writer's entries. A suffix beyond them survives only if
    // it came from this same writer (then it is part of its log); any other suffix was never acked
    // under this epoch and would break "tailEpoch's log contains everything we hold".
    List<Entry> log = s.log();
    int keep = (int) a.prevSeq();
    long lastSeq = a.lastSeq();
    boolean sameWriter = s.tailEpoch() == a.epoch();
    List<Entry> next;
    if (sameWriter && lastSeq <= log.size()) {
      next = log; // a duplicate or a reordered older append: we already hold all of it
    } else {
      next = new ArrayList<>(Math.max(log.size(), (int) lastSeq));
      next.addAll(log.subList(0, keep));
      next.addAll(a.entries());
      if (sameWriter && log.size() > lastSeq) next.addAll(log.subList((int) lastSeq, log.size()));
    }
    long tail = next.size();
    // Only the writer's log up to our new tail is known to match, so only that much of its lac applies.
    long lac = Math.min(Math.max(s.lac(), Math.min(a.lac(), tail)), tail);
    long promised = Math.max(s.promised(), a.epoch());
    ReplicaState ns = s.withLog(promised, next, a.epoch(), lac);
    ns = maybeLeaveLimbo(ns);
    Ack ack = new Ack(s.stream(), s.replica(), a.epoch(), tail, !ns.limbo());
    if (ns.equals(s)) return reply(s, from, ack);
    return persistThen(ns, from, ack);
  }

  /**
   * Raft's log-matching check, relaxed at or below our lac: a committed prefix is the same on every
   * replica even when recovery re-stamped it with another epoch, so comparing epochs there would
   * refuse a correct catch-up forever.
   */
  private static boolean prefixMatches(ReplicaState s, Append a) {
    long prev = a.prevSeq();
    if (prev == 0) return true;
    if (prev > s.tailSeq()) return false;
    if (prev <= s.lac()) return true;
    if (s.tailEpoch() == a.epoch()) return true; // our whole log is a prefix of this writer's
    return s.epochAt(prev) == a.prevEpoch();
  }

  private static Step commit(ReplicaState s, Commit c) {
    // Only a log known to be a prefix of this writer's may trust its lac.
    if (c.epoch() != s.tailEpoch() || c.epoch() < s.promised()) return new Step(s, List.of());
    long lac = Math.max(s.lac(), Math.min(c.lac(), s.tailSeq()));
    if (lac == s.lac()) return new Step(s, List.of());
    ReplicaState ns = maybeLeaveLimbo(s.withLac(lac));
    return new Step(ns, List.of(new Persist(ns)));
  }

  private static Step read(ReplicaState s, Address from, Read r, Bugs bugs) {
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
    long to = Math.min(upper, from0 + Math.max(0, r.max()));
    List<Entry> entries = from0 >= to ? List.of() : s.log().subList((int) from0, (int) to);
    return reply(s, from, new ReadOk(s.stream(), s.replica(), r.requestId(), r.fromSeq(), entries, upper));
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
    // A peer's promise is one we may have made too before losing the disk: never accept below it.
    long promised = Math.max(s.promised(), t.promised());
    ReplicaState ns = maybeLeaveLimbo(s.withLimbo(true, heard, target, promised));
    if (ns.equals(s)) return new Step(s, List.of());
    return new Step(ns, List.of(new Persist(ns)));
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
   * Limbo ends once every peer reported its tail and our committed prefix reaches the highest of them.
   * Why every peer: an entry we acked before the disk loss is on at least one other replica, but we
   * cannot know which, and it may still sit above that replica's lac.
   */
  private static ReplicaState maybeLeaveLimbo(ReplicaState s) {
    if (!s.limbo()) return s;
    int everyPeer = ((1 << Quorum.REPLICAS) - 1) & ~(1 << s.replica());
    if ((s.limboHeard() & everyPeer) != everyPeer || s.lac() < s.limboTarget()) return s;
    return s.withLimbo(false, 0, 0, s.promised());
  }

  private static Step reply(ReplicaState s, Address to, Message m) {
    return new Step(s, List.of(new Send(to, m)));
  }

  private static Step persistThen(ReplicaState ns, Address to, Message m) {
    return new Step(ns, List.of(new Persist(ns), new Send(to, m)));
  }
}
