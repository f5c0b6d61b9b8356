package dev.sluice.core.model;

import dev.sluice.core.CborSerializable;
import dev.sluice.core.protocol.Offset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The metadata of one stream path: everything the protocol rules need, never the data itself.
 * Immutable; {@link #apply} returns the successor state. Also the snapshot format.
 *
 * @param closedByProducer producer tuple of the request that closed the stream, for the
 *     "producer close duplicate" rule (checklist §6); null if closed without producer headers
 */
public record StreamState(
    StreamStatus status,
    long storeId,
    String contentType,
    Long ttlSeconds,
    Long expiresAtMillis,
    List<Segment> inherited,
    long ownStart,
    ForkOrigin fork,
    long tail,
    boolean closed,
    String closedByProducer,
    Long closedByEpoch,
    Long closedBySeq,
    String lastStreamSeq,
    Map<String, ProducerState> producers,
    Set<String> forks,
    long lastWriteMillis)
    implements CborSerializable {

  public static final StreamState EMPTY =
      new StreamState(StreamStatus.NONE, 0, null, null, null, List.of(), 0, null, 0, false, null, null,
          null, null, Map.of(), Set.of(), 0);

  public boolean exists() {
    return status != StreamStatus.NONE;
  }

  public Offset tailOffset() {
    return Offset.at(tail);
  }

  /** Segments to read, in offset order: inherited ranges then this incarnation's own range. */
  public List<Segment> readPath() {
    var all = new ArrayList<Segment>(inherited.size() + 1);
    all.addAll(inherited);
    all.add(new Segment(storeId, ownStart, tail));
    return all;
  }

  /** Evolves the state by one event. Pure. */
  public StreamState apply(StreamEvent event) {
    if (event instanceof StreamEvent.Created c) {
      // Interned: a node holds up to 100,000 states, nearly all with one of a few content types,
      // and each came from its own request (or replayed event) as a String of its own.
      String type = c.contentType() == null ? null : c.contentType().intern();
      return new StreamState(StreamStatus.ACTIVE, c.storeId(), type, c.ttlSeconds(),
          c.expiresAtMillis(), List.copyOf(c.inherited()), c.ownStart(), c.fork(), c.ownStart(), false, null,
          null, null, null, Map.of(), Set.of(), c.atMillis());
    } else if (event instanceof StreamEvent.Appended a) {
      var producers = this.producers;
      if (a.producerId() != null) producers = withProducer(a.producerId(), a.producerEpoch(), a.producerSeq(), a.atMillis());
      return new StreamState(status, storeId, contentType, ttlSeconds, expiresAtMillis, inherited, ownStart,
          fork, a.position() + a.length(), closed || a.closes(),
          a.closes() ? a.producerId() : closedByProducer, a.closes() ? a.producerEpoch() : closedByEpoch,
          a.closes() ? a.producerSeq() : closedBySeq,
          a.streamSeq() != null ? a.streamSeq() : lastStreamSeq, producers, forks, a.atMillis());
    } else if (event instanceof StreamEvent.Closed c) {
      var producers = this.producers;
      if (c.producerId() != null) producers = withProducer(c.producerId(), c.producerEpoch(), c.producerSeq(), c.atMillis());
      return new StreamState(status, storeId, contentType, ttlSeconds, expiresAtMillis, inherited, ownStart,
          fork, tail, true, c.producerId(), c.producerEpoch(), c.producerSeq(),
          c.streamSeq() != null ? c.streamSeq() : lastStreamSeq, producers, forks, c.atMillis());
    } else if (event instanceof StreamEvent.ForkAdded f) {
      return withForks(plus(forks, f.childPath()));
    } else if (event instanceof StreamEvent.ForkReleased f) {
      return withForks(minus(forks, f.childPath()));
    } else if (event instanceof StreamEvent.SoftDeleted) {
      return new StreamState(StreamStatus.SOFT_DELETED, storeId, contentType, ttlSeconds, expiresAtMillis,
          inherited, ownStart, fork, tail, closed, closedByProducer, closedByEpoch, closedBySeq, lastStreamSeq,
          producers, forks, lastWriteMillis);
    } else if (event instanceof StreamEvent.Purged) {
      return EMPTY;
    }
    throw new IllegalArgumentException("unknown event " + event);
  }

  private Map<String, ProducerState> withProducer(String id, long epoch, long seq, long at) {
    var m = new HashMap<>(producers);
    m.put(id, new ProducerState(epoch, seq, at));
    return Collections.unmodifiableMap(m);
  }

  private StreamState withForks(Set<String> f) {
    return new StreamState(status, storeId, contentType, ttlSeconds, expiresAtMillis, inherited, ownStart,
        fork, tail, closed, closedByProducer, closedByEpoch, closedBySeq, lastStreamSeq, producers, f,
        lastWriteMillis);
  }

  private static Set<String> plus(Set<String> s, String v) {
    if (s.contains(v)) return s;
    var n = new LinkedHashSet<>(s);
    n.add(v);
    return Collections.unmodifiableSet(n);
  }

  private static Set<String> minus(Set<String> s, String v) {
    if (!s.contains(v)) return s;
    var n = new LinkedHashSet<>(s);
    n.remove(v);
    return Collections.unmodifiableSet(n);
  }
}
