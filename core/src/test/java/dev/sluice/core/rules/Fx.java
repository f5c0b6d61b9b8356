package dev.sluice.core.rules;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.sluice.core.Bytes;
import dev.sluice.core.error.Rejection;
import dev.sluice.core.model.StreamEvent;
import dev.sluice.core.model.StreamState;
import dev.sluice.core.protocol.Offset;
import dev.sluice.core.protocol.ProducerClaim;
import java.util.List;

/** Test fixtures: build stream states by running the rules and applying their events. No clocks. */
final class Fx {
  /** A fixed "now": 2027-01-15T08:00:00Z-ish, well after the cursor epoch. */
  static final long T0 = 1_800_000_000_000L;

  static final String BIN = "application/octet-stream";
  static final String TEXT = "text/plain";
  static final String JSON = "application/json";

  private Fx() {}

  // ------------------------------------------------------------ decisions

  @SuppressWarnings("unchecked")
  static <R> Decision.Accepted<R> accepted(Decision<R> d) {
    assertInstanceOf(Decision.Accepted.class, d, () -> "expected an accepted decision but got " + d);
    return (Decision.Accepted<R>) d;
  }

  static Rejection rejected(Decision<?> d) {
    assertInstanceOf(Decision.Rejected.class, d, () -> "expected a rejection but got " + d);
    return ((Decision.Rejected<?>) d).rejection();
  }

  static <R> R reply(Decision<R> d) {
    return accepted(d).reply();
  }

  static List<StreamEvent> events(Decision<?> d) {
    return accepted(d).events();
  }

  static StreamState apply(StreamState s, List<StreamEvent> events) {
    for (StreamEvent e : events) s = s.apply(e);
    return s;
  }

  static StreamState applyAll(StreamState s, Decision<?> d) {
    return apply(s, events(d));
  }

  // ------------------------------------------------------------ create

  static Commands.Create put(String ct) {
    return new Commands.Create(ct, null, null, false, Bytes.EMPTY, null);
  }

  static Commands.Create put(String ct, Long ttl, Long expiresAt, boolean closed, String body) {
    return new Commands.Create(ct, ttl, expiresAt, closed, body == null ? Bytes.EMPTY : Bytes.utf8(body), null);
  }

  static StreamState created(String ct) {
    return created(put(ct), 1, T0);
  }

  static StreamState created(Commands.Create c, long storeId, long now) {
    return applyAll(StreamState.EMPTY, StreamRules.create(StreamState.EMPTY, c, storeId, null, null, now));
  }

  // ------------------------------------------------------------ append / close

  static ProducerClaim p(String id, long epoch, long seq) {
    return new ProducerClaim(id, epoch, seq);
  }

  static Payload payload(String ct, String body) {
    return Payloads.forContentType(ct, Bytes.utf8(body));
  }

  static Commands.Append post(String ct, String body) {
    return new Commands.Append(ct, payload(ct, body), false, null, null);
  }

  static Commands.Append post(String ct, String body, ProducerClaim producer) {
    return new Commands.Append(ct, payload(ct, body), false, null, producer);
  }

  static Commands.Append postSeq(String ct, String body, String streamSeq) {
    return new Commands.Append(ct, payload(ct, body), false, streamSeq, null);
  }

  static Commands.Append post(String ct, String body, String streamSeq, ProducerClaim producer) {
    return new Commands.Append(ct, payload(ct, body), false, streamSeq, producer);
  }

  static Commands.Append appendAndClose(String ct, String body, ProducerClaim producer) {
    return new Commands.Append(ct, payload(ct, body), true, null, producer);
  }

  static Commands.Append closeOnly(String ct, ProducerClaim producer) {
    return new Commands.Append(ct, Payload.EMPTY, true, null, producer);
  }

  static Commands.Append closeOnly() {
    return closeOnly(null, null);
  }

  /** Runs an append that must be accepted and returns the successor state. */
  static StreamState appended(StreamState s, Commands.Append a) {
    return applyAll(s, StreamRules.append(s, a, T0));
  }

  static StreamState appended(StreamState s, Commands.Append a, long now) {
    return applyAll(s, StreamRules.append(s, a, now));
  }

  static Offset off(long position) {
    return Offset.at(position);
  }
}
