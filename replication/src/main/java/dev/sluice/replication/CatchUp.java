package dev.sluice.replication;

import dev.sluice.replication.Bugs.Bug;
import dev.sluice.replication.Message.Ack;
import dev.sluice.replication.Message.Append;
import dev.sluice.replication.Message.Gap;
import dev.sluice.replication.Message.Read;
import dev.sluice.replication.Message.ReadOk;
import dev.sluice.replication.Writer.Settings;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * What the {@link Writer} knows about each replica once recovery is done (RESTAMPING, SERVING), and how
 * it brings one that lags up to date: the re-stamp, live appends to replicas that are in step, chunked
 * catch-up from the {@link Window} one bounded chunk at a time (the ack of a chunk pumps the next), and
 * below the window, pages of committed entries fetched from another replica and forwarded to the lagging
 * one (docs/replication.md, "Window and catch-up"). The writer owns the commit point: it passes its lac
 * in, and reads acknowledged positions out ({@link #heldByQuorum}, {@link #lowestMatched}).
 *
 * <p>Made when the re-stamp begins: the epoch, C and T are fixed from then on. Not thread-safe; confined
 * to the owning {@link Writer}.
 */
final class CatchUp {
  /** A read of committed entries from {@code source} on behalf of a lagging replica. */
  private record Fetch(long requestId, int source, long from, int age) {}

  /**
   * What the writer knows about one replica. {@code matched}: it holds our log up to here (acked);
   * {@code hint}: where a re-send may start (its lac from a Gap, or C after recovery); {@code sent}: the
   * highest seq sent to it in the current flow. A replica is "in step" when {@code sent == tail}: live
   * appends go to it directly; otherwise it is caught up one chunk at a time.
   */
  private static final class Peer {
    long matched;
    long voted;
    long hint;
    long sent;
    long lastChunkFrom = -1;
    long matchedAtBeat = -1;
    Fetch fetch;
    int rotation;

    long resume() {
      return Math.max(matched, hint);
    }
  }

  private final String stream;
  private final int node;
  private final long epoch;
  private final long recoveredCommit; // C
  private final long recoveredTail; // T
  private final Settings settings;
  private final Bugs bugs;
  private final Window window;
  private final Outbox out;
  private final Peer[] peers = new Peer[Quorum.REPLICAS];
  private long requestIds;
  private long fetches;
  private long forwardedEntries;

  CatchUp(String stream, int node, long epoch, long recoveredCommit, long recoveredTail, Settings settings, Bugs bugs,
          Window window, Outbox out) {
    this.stream = stream;
    this.node = node;
    this.epoch = epoch;
    this.recoveredCommit = recoveredCommit;
    this.recoveredTail = recoveredTail;
    this.settings = settings;
    this.bugs = bugs;
    this.window = window;
    this.out = out;
    for (int r = 0; r < peers.length; r++) {
      Peer p = new Peer();
      p.hint = recoveredCommit; // every replica is sent (C, T]; one that lacks C answers Gap with its lac
      p.sent = recoveredTail;
      peers[r] = p;
    }
  }

  /** Peer fetches sent (reads of committed entries on behalf of a lagging replica). */
  long fetches() {
    return fetches;
  }

  long forwardedEntries() {
    return forwardedEntries;
  }

  /** Per replica, the highest seq it acked: it holds our log up to there. */
  long[] matched() {
    long[] m = new long[peers.length];
    for (int r = 0; r < peers.length; r++) m[r] = peers[r].matched;
    return m;
  }

  long lowestMatched() {
    long low = Long.MAX_VALUE;
    for (Peer p : peers) low = Math.min(low, p.matched);
    return low;
  }

  /** The highest seq that {@code quorum} replicas acked with a vote (a replica in limbo does not vote). */
  long heldByQuorum(int quorum) {
    long[] v = new long[peers.length];
    for (int r = 0; r < peers.length; r++) v[r] = peers[r].voted;
    Arrays.sort(v);
    return v[v.length - quorum];
  }

  /** Re-append (C, T], which recovery put in the window and the writer re-stamped, to every replica. */
  void restamp() {
    long c = recoveredCommit;
    // One message, whatever its size: a replica that accepts any part of our writes must then hold our
    // whole recovered log (the invariant recovery's choice of best relies on).
    if (bugs.has(Bug.CHUNKED_RESTAMP)) {
      for (int r = 0; r < peers.length; r++) {
        List<Entry> chunk = window.chunk(c, settings.maxAppendEntries(), settings.maxAppendBytes(), 0);
        out.send(r, new Append(stream, epoch, c, window.epochAt(c), chunk, c, recoveredTail));
        peers[r].sent = c + chunk.size();
      }
    } else {
      out.broadcast(new Append(stream, epoch, c, window.epochAt(c), window.all(), c, recoveredTail));
    }
  }

  /** A client's entry {@code e}, just added to the window: straight to every replica in step, the others catch up. */
  void replicate(Entry e, long lac) {
    long seq = e.seq();
    long prevEpoch = window.epochAt(seq - 1);
    for (int r = 0; r < peers.length; r++) {
      Peer p = peers[r];
      if (p.sent == seq - 1) {
        out.send(r, new Append(stream, epoch, seq - 1, prevEpoch, List.of(e), lac, recoveredTail));
        p.sent = seq;
      } else {
        pump(r, lac);
      }
    }
  }

  /** Records an ack; true if it raised what the replica is known to hold. The writer then advances its lac and pumps. */
  boolean onAck(Ack a) {
    Peer p = peers[a.replica()];
    long upTo = Math.min(a.lastSeq(), window.tail());
    boolean progress = upTo > p.matched;
    p.matched = Math.max(p.matched, upTo);
    if (a.voting()) p.voted = Math.max(p.voted, upTo);
    p.sent = Math.max(p.sent, p.matched);
    if (p.matched >= p.sent) p.lastChunkFrom = -1;
    return progress;
  }

  /**
   * The replica lacks our prev. Its lac is a point it surely shares with us (a committed prefix is the
   * same everywhere), so re-send from there; that always passes the log-matching check, so catch-up
   * cannot loop. A Gap that a chunk from the same point is already answering is ignored (live appends
   * reordered in flight produce a burst of them).
   */
  void onGap(Gap g, long lac) {
    Peer p = peers[g.replica()];
    long l = Math.min(g.lac(), window.tail());
    if (p.lastChunkFrom == l && p.sent > l) return;
    p.matched = Math.min(p.matched, l);
    p.hint = l;
    p.sent = l;
    pump(g.replica(), lac);
  }

  /**
   * Send replica {@code r} its next catch-up chunk, if it is behind and none is outstanding. From the
   * window when it can; below the window, through a peer fetch.
   */
  void pump(int r, long lac) {
    Peer p = peers[r];
    long tail = window.tail();
    if (p.sent >= tail) return;
    long from = p.resume();
    if (p.sent > from) return; // a chunk is in flight; its ack (or the heartbeat) pumps the next
    if (from >= tail) {
      p.sent = from;
      return;
    }
    if (from < window.base()) {
      fetch(r, from);
      return;
    }
    // While re-stamping, every chunk must reach T (the re-stamp is atomic per replica).
    long mustReach = lac < recoveredTail && !bugs.has(Bug.CHUNKED_RESTAMP) ? recoveredTail : 0;
    List<Entry> chunk = window.chunk(from, settings.maxAppendEntries(), settings.maxAppendBytes(), mustReach);
    out.send(r, new Append(stream, epoch, from, window.epochAt(from), chunk, lac, recoveredTail));
    p.sent = from + chunk.size();
    p.lastChunkFrom = from;
  }

  private void fetch(int r, long from) {
    Peer p = peers[r];
    if (p.fetch != null) return;
    List<Integer> sources = new ArrayList<>();
    for (int s = 0; s < peers.length; s++) if (s != r) sources.add(s);
    // Prefer a replica that acked past the range, then our own node's (a local read), then by id.
    sources.sort(Comparator.<Integer>comparingInt(s -> peers[s].matched > from ? 0 : 1)
        .thenComparingInt(s -> s == node ? 0 : 1)
        .thenComparingInt(s -> s));
    int source = sources.get(Math.floorMod(p.rotation, sources.size()));
    long id = ++requestIds;
    int max = (int) Math.min(settings.readPageEntries(), Math.min(settings.maxAppendEntries(), window.base() - from));
    p.fetch = new Fetch(id, source, from, 0);
    fetches++;
    out.send(source, Read.committed(stream, id, from, max, settings.maxAppendBytes()));
  }

  /** Forward a fetched page of committed entries; a replica that has not adopted our log takes it as a committed fill. */
  void onFetched(ReadOk r, long lac) {
    for (int t = 0; t < peers.length; t++) {
      Peer p = peers[t];
      Fetch f = p.fetch;
      if (f == null || f.requestId() != r.requestId() || f.source() != r.replica()) continue;
      p.fetch = null;
      List<Entry> entries = new ArrayList<>();
      for (Entry e : r.entries()) {
        if (e.seq() > lac || e.seq() != f.from() + entries.size() + 1) break; // only committed, only contiguous
        entries.add(e);
      }
      long last = f.from() + entries.size();
      if (r.fromSeq() != f.from() || entries.isEmpty()) {
        p.rotation++; // that source cannot serve it (yet); the heartbeat retries with the next one
        return;
      }
      if (last <= p.resume()) {
        pump(t, lac);
        return;
      }
      out.send(t, new Append(stream, epoch, f.from(), r.fromEpoch(), entries, lac, recoveredTail));
      forwardedEntries += entries.size();
      p.sent = Math.max(p.sent, last);
      p.lastChunkFrom = f.from();
      return;
    }
  }

  void onFetchFailed(int source, long requestId) {
    for (Peer p : peers) {
      if (p.fetch != null && p.fetch.requestId() == requestId && p.fetch.source() == source) {
        p.fetch = null;
        p.rotation++;
      }
    }
  }

  /**
   * Re-send what a replica has not acked and has made no progress on for a whole beat: a lost append
   * would otherwise only be repaired by the next client append's Gap. A fetch unanswered for two beats
   * is dropped, and the next one asks another source.
   */
  void heartbeat(long lac) {
    long tail = window.tail();
    for (int r = 0; r < peers.length; r++) {
      Peer p = peers[r];
      if (p.fetch != null && p.fetch.age() >= 2) {
        p.fetch = null;
        p.rotation++;
      } else if (p.fetch != null) {
        p.fetch = new Fetch(p.fetch.requestId(), p.fetch.source(), p.fetch.from(), p.fetch.age() + 1);
      }
      if (p.matched < tail && p.matched == p.matchedAtBeat) {
        p.sent = Math.min(p.sent, p.resume());
        p.lastChunkFrom = -1;
        pump(r, lac);
      }
      p.matchedAtBeat = p.matched;
    }
  }
}
