package dev.sluice.core.rules;

import dev.sluice.core.error.Rejection;
import dev.sluice.core.model.StreamEvent;
import java.util.List;

/** The result of a rule: events to persist plus the reply once they are durable, or a rejection. */
public sealed interface Decision<R> {
  record Accepted<R>(List<StreamEvent> events, R reply) implements Decision<R> {}

  record Rejected<R>(Rejection rejection) implements Decision<R> {}

  static <R> Decision<R> accept(List<StreamEvent> events, R reply) {
    return new Accepted<>(events, reply);
  }

  static <R> Decision<R> reject(Rejection r) {
    return new Rejected<>(r);
  }
}
