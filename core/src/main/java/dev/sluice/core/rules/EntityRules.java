package dev.sluice.core.rules;

import dev.sluice.core.error.ErrorCode;
import dev.sluice.core.error.Rejection;
import dev.sluice.core.model.StreamEvent;
import dev.sluice.core.model.StreamState;
import dev.sluice.core.model.StreamStatus;
import dev.sluice.core.rules.Commands.AppendResult;
import java.util.ArrayList;
import java.util.List;

/**
 * The decisions a stream's sequencer (the entity) makes around the protocol rules of
 * {@link StreamRules}: how a batch of appends is decided, what a read of an expired stream gets
 * while a write is in flight, which forks a source may ask about. Pure, like {@link StreamRules};
 * the entity only carries them out.
 */
public final class EntityRules {
  private EntityRules() {}

  /** Every append of one batch decided in order, and the events of the accepted ones. */
  public record BatchDecision(List<StreamEvent> events, List<Decision<AppendResult>> decisions) {
    public BatchDecision {
      events = List.copyOf(events);
      decisions = List.copyOf(decisions);
    }
  }

  /**
   * Decides the appends that arrived during one write as if one after the other: each sees the
   * state left by the accepted ones before it (a producer's seq 1 after its seq 0 in the same
   * batch, a close followed by an append that must be refused). Rejections write nothing.
   */
  public static BatchDecision appendBatch(StreamState s, List<Commands.Append> appends, long now) {
    List<StreamEvent> events = new ArrayList<>();
    List<Decision<AppendResult>> decisions = new ArrayList<>(appends.size());
    StreamState st = s;
    for (Commands.Append a : appends) {
      Decision<AppendResult> d = StreamRules.append(st, a, now);
      if (d instanceof Decision.Accepted<AppendResult> ok) {
        for (StreamEvent e : ok.events()) st = st.apply(e);
        events.addAll(ok.events());
      }
      decisions.add(d);
    }
    return new BatchDecision(events, decisions);
  }

  /** What a read (GET, HEAD, a live reader's look) gets, given expiry and work in flight. */
  public sealed interface ViewCheck {
    /** Serve the current state (after a readability check). */
    enum Serve implements ViewCheck { INSTANCE }

    /** Persist the expiry first, then handle the read again (it will then see the stream gone). */
    enum ExpireFirst implements ViewCheck { INSTANCE }

    record Reject(Rejection rejection) implements ViewCheck {}
  }

  /**
   * Expiry is applied lazily, by the entity, on access. While a write or a cross-stream operation
   * is in flight it cannot persist the expiry, but the stream is already expired: the read answers
   * 404 at once rather than waiting behind the write (checklist §14, "expired streams are gone").
   */
  public static ViewCheck checkView(StreamState s, long lastAccessMillis, long now, boolean writeInFlight) {
    if (StreamRules.isExpired(s, lastAccessMillis, now)) {
      return writeInFlight
          ? new ViewCheck.Reject(Rejection.of(ErrorCode.STREAM_NOT_FOUND, "stream expired"))
          : ViewCheck.ExpireFirst.INSTANCE;
    }
    Rejection r = StreamRules.checkReadable(s);
    return r == null ? ViewCheck.Serve.INSTANCE : new ViewCheck.Reject(r);
  }

  /** A fork request naming the stream itself as its source (it would pin its own data forever). */
  public static Rejection checkForkSource(String path, Commands.Create c) {
    if (c.fork() != null && c.fork().sourcePath().equals(path)) {
      return Rejection.of(ErrorCode.BAD_REQUEST, "a stream cannot fork itself");
    }
    return null;
  }

  /**
   * A source being deleted asks each of its forks whether it still pins the source's data: only
   * an existing stream that was forked from exactly that source does.
   */
  public static boolean isLiveForkOf(StreamState s, String sourcePath) {
    return s.status() != StreamStatus.NONE && s.fork() != null && s.fork().sourcePath().equals(sourcePath);
  }
}
