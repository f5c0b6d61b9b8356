package dev.sluice.subscriptions.entity;

import dev.sluice.subscriptions.rules.SubscriptionSpec;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;

/**
 * What a subscription entity needs from its node: the streams' tails, appends to wake streams,
 * webhook delivery (signed with the node cluster's key), and the cluster's match index. Implemented by
 * {@link dev.sluice.subscriptions.Subscriptions}; a fake in tests. Thread-safe.
 */
public interface SubscriptionHost {
  /** The committed tail position of each path; a stream that does not exist is 0. */
  CompletionStage<Map<String, Long>> tails(Collection<String> paths);

  /** Appends one JSON wake event to {@code wakeStream} (logged and dropped if the stream is missing). */
  void appendWakeEvent(String wakeStream, String eventJson);

  /** POSTs a signed wake; completes with the outcome (never fails). */
  CompletionStage<Delivery> deliver(String url, String body);

  /** The signing key id (published in GET answers). */
  String kid();

  /**
   * The subscription's pattern and explicit streams changed (or it was created, or recovered) as of
   * the entity's sequence number {@code version}; completes once every node's match index has it
   * (or gave up waiting for a node that is gone).
   */
  CompletionStage<Done> indexed(String id, long version, SubscriptionSpec spec, Set<String> explicitStreams);

  /** The subscription was deleted at {@code version}; completes like {@link #indexed}. */
  CompletionStage<Done> unindexed(String id, long version);

  /**
   * The entity finished recovery at {@code sequenceNr}, replaying {@code replayedEvents} journal
   * events after the snapshot it started from (all of them when there was none).
   */
  void recovered(String id, long sequenceNr, long replayedEvents);

  /** A wake started for a {@code local} subscription: tell its in-process listeners. */
  void localWake(String id, long generation);

  /** How a delivery went: a 2xx answer ({@code done}: its body was {@code {"done":true}}), or why not. */
  record Delivery(boolean ok, boolean done, String problem) {}
}
