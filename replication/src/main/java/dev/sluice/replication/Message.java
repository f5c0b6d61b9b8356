package dev.sluice.replication;

import java.util.List;

/**
 * Every message of the replication protocol, as immutable records (serialization-friendly: no arrays,
 * no references to live objects). All replica messages are idempotent, so the transport may drop,
 * duplicate or reorder them; the protocol repairs with {@link Gap} answers and re-sends.
 *
 * <p>Sequence numbers: {@code seq} is 1-based; "tail" is the highest seq a replica holds; "lac" (last
 * add confirmed) is the highest seq known to be on an ack quorum. Epochs: see {@link Epoch}.
 */
public sealed interface Message {
  /**
   * Payload budget of one {@link Append} or {@link ReadOk} (by {@link Entry#sizeBytes()}). Artery's
   * frame is 256 KiB and a later transport chunks anything larger; keeping batches at half of that leaves
   * room for framing. One entry larger than the budget travels alone, and a recovery re-stamp
   * ({@link Writer}) is one message whatever its size (its atomicity is what recovery relies on).
   */
  int MAX_BATCH_BYTES = 128 * 1024;

  /** Requests a replica handles ({@link Replica#handle}). */
  sealed interface ToReplica extends Message {
    String stream();
  }

  /** Answers a writer handles ({@link Writer#handle}). */
  sealed interface ToWriter extends Message {}

  // ------------------------------------------------------------------ fence (Paxos phase 1)

  /** Owner asks for a promise: reject every append with an epoch below {@code epoch} from now on. */
  record Fence(String stream, long epoch) implements ToReplica {}

  /** Durable promise of {@code epoch}, with a summary of the replica's log for recovery. */
  record Promise(String stream, int replica, long epoch, String diskUuid, long tailSeq, long tailEpoch, long lac)
      implements ToWriter {}

  /** The replica already promised {@code promised} >= the requested epoch. */
  record Reject(String stream, int replica, long epoch, long promised) implements ToWriter {}

  /**
   * The replica lost its disk and is in limbo: it cannot say what it promised or acked before, so it
   * does not count toward any fence quorum (BookKeeper BP-46's EUNKNOWN).
   */
  record Unknown(String stream, int replica, long epoch) implements ToWriter {}

  // ------------------------------------------------------------------ append (Paxos phase 2)

  /**
   * Append {@code entries} right after {@code prevSeq}, whose entry must carry {@code prevEpoch}
   * (Raft's log-matching check), and learn {@code lac}. {@code prevSeq = 0} means "from the start".
   * When {@code lastSeq() <= lac} every entry is committed (a catch-up); see {@link Replica} for how a
   * replica that has not adopted this writer's log takes such an append. {@code recoveredTail} is the
   * writer's recovered tail T: a replica adopts the writer's epoch only when its log then holds the
   * writer's log through at least T and nothing else.
   */
  record Append(String stream, long epoch, long prevSeq, long prevEpoch, List<Entry> entries, long lac, long recoveredTail)
      implements ToReplica {
    public Append {
      entries = List.copyOf(entries);
      for (int i = 0; i < entries.size(); i++) {
        if (entries.get(i).seq() != prevSeq + 1 + i) throw new IllegalArgumentException("entries must follow prevSeq " + prevSeq + " densely");
      }
    }

    public long lastSeq() {
      return prevSeq + entries.size();
    }
  }

  /**
   * The replica durably holds the writer's log up to {@code lastSeq}. A replica in limbo acks with
   * {@code voting = false}: its copy helps it catch up but must not make anything committed.
   */
  record Ack(String stream, int replica, long epoch, long lastSeq, boolean voting) implements ToWriter {}

  /** The replica promised a higher epoch: the writer has lost ownership. */
  record Fenced(String stream, int replica, long epoch, long promised) implements ToWriter {}

  /** The replica does not hold {@code prevSeq} with {@code prevEpoch}; its own tail and lac say where to resume. */
  record Gap(String stream, int replica, long epoch, long tailSeq, long lac) implements ToWriter {}

  /** Idle-time lac broadcast so followers can serve reads up to it. No answer. */
  record Commit(String stream, long epoch, long lac) implements ToReplica {}

  // ------------------------------------------------------------------ read index

  /**
   * "Am I still the owner?" Answered after every earlier change is durable. Two {@link ProbeOk}s for a
   * probe sent after a decision prove no newer owner had a fence quorum when the decision was made
   * (the etcd/Consul stale-read lesson): the owner needs it before a definite producer rejection.
   */
  record Probe(String stream, long epoch, long nonce) implements ToReplica {}

  record ProbeOk(String stream, int replica, long epoch, long nonce) implements ToWriter {}

  // ------------------------------------------------------------------ reads

  /**
   * One page of entries with seq in {@code (fromSeq, ...]}: at most {@code max} entries and
   * {@code maxBytes} (capped at {@link #MAX_BATCH_BYTES}; a first entry above the budget comes alone).
   * Served only up to the replica's lac, except to a recovering owner: {@code recoveryEpoch} equal to
   * the replica's promise unlocks the tail.
   */
  record Read(String stream, long requestId, long fromSeq, int max, long maxBytes, long recoveryEpoch) implements ToReplica {
    public static Read committed(String stream, long requestId, long fromSeq, int max, long maxBytes) {
      return new Read(stream, requestId, fromSeq, max, maxBytes, Epoch.NONE);
    }
  }

  /**
   * A page of a {@link Read}. {@code fromEpoch} is the epoch stamped on entry {@code fromSeq} here
   * ({@link Epoch#NONE} for 0 or if not served), so a forwarder can use it as {@code prevEpoch}.
   * {@code upTo} is the highest seq this read could have served (the lac, or the tail for the
   * recovering owner): the reader has everything once it reaches {@code upTo}.
   */
  record ReadOk(String stream, int replica, long requestId, long fromSeq, long fromEpoch, List<Entry> entries, long lac, long upTo)
      implements ToWriter {
    public ReadOk {
      entries = List.copyOf(entries);
    }

    /** Where the next page starts. */
    public long nextFrom() {
      return fromSeq + entries.size();
    }
  }

  /** Limbo, or a recovery read whose epoch is no longer the replica's promise. */
  record ReadUnavailable(String stream, int replica, long requestId) implements ToWriter {}

  // ------------------------------------------------------------------ limbo repair (replica to replica)

  /** A replica in limbo asks a peer what it has promised and how far its log goes. */
  record AskTail(String stream, int replica) implements ToReplica {}

  /** A peer's answer to {@link AskTail}; {@code tailEpoch} is the epoch whose log it adopted last. */
  record TailInfo(String stream, int replica, long promised, long tailSeq, boolean limbo, long tailEpoch) implements ToReplica {}

  /** Periodic nudge from the driver; a replica in limbo re-asks the peers it has not heard from. */
  record Tick(String stream) implements ToReplica {}

  // ------------------------------------------------------------------ client <-> owner

  /** A client append; {@code producer} is null for a plain (non-idempotent) append. */
  record ClientAppend(long requestId, Payload payload, ProducerStamp producer) implements ToWriter {}

  /** The owner's answer to a {@link ClientAppend}. */
  sealed interface AppendReply extends Message {
    long requestId();
  }

  /** Committed on an ack quorum at {@code offset}. */
  record Appended(long requestId, long offset) implements AppendReply {}

  /** The producer seq was already accepted; {@code offset} is where it was committed, or -1 if not known. */
  record Duplicate(long requestId, long offset) implements AppendReply {}

  /** Definitely not appended (nothing was written). */
  record Rejected(long requestId, Reason reason) implements AppendReply {}

  /** The outcome is unknown: the owner lost ownership or timed out; the next recovery decides. */
  record Uncertain(long requestId) implements AppendReply {}

  enum Reason { NOT_OWNER, PRODUCER_EPOCH_STALE, PRODUCER_SEQ_GAP, PRODUCER_EPOCH_SEQ_NOT_ZERO }
}
