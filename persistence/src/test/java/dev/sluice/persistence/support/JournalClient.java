package dev.sluice.persistence.support;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.persistence.AtomicWrite;
import org.apache.pekko.persistence.JournalProtocol;
import org.apache.pekko.persistence.Persistence;
import org.apache.pekko.persistence.PersistentEnvelope;
import org.apache.pekko.persistence.PersistentRepr;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Talks to the journal plugin with Pekko's journal protocol (what a persistent actor sends), so
 * tests exercise the real plugin actor, dispatcher and serialization. Synchronous: each call waits
 * for the journal's replies with a classic test probe.
 */
public final class JournalClient {
  public static final String JOURNAL = "sluice.persistence.journal";

  private final ActorSystem system;
  private final ActorRef journal;
  private final String writerUuid = UUID.randomUUID().toString();

  public JournalClient(ActorSystem system) {
    this(system, JOURNAL);
  }

  /** A client of the journal plugin {@code pluginId}. */
  public JournalClient(ActorSystem system, String pluginId) {
    this.system = system;
    this.journal = Persistence.get(system).journalFor(pluginId, com.typesafe.config.ConfigFactory.empty());
  }

  /** Outcome of one AtomicWrite. */
  public sealed interface Outcome {}

  public record Stored() implements Outcome {}

  public record Rejected(Throwable cause) implements Outcome {}

  /** Sends one WriteMessages with these AtomicWrites without waiting; replies go to {@code replyTo}. */
  public void sendWrite(String pid, long firstSeq, List<List<Object>> atomicWrites, ActorRef replyTo) {
    journal.tell(writeMessages(pid, firstSeq, atomicWrites, replyTo), ActorRef.noSender());
  }

  /** Writes the AtomicWrites (sequence numbers from {@code firstSeq}) and returns their outcomes. */
  public List<Outcome> write(String pid, long firstSeq, List<List<Object>> atomicWrites) {
    var probe = new org.apache.pekko.testkit.javadsl.TestKit(system);
    sendWrite(pid, firstSeq, atomicWrites, probe.getRef());
    probe.expectMsgClass(JournalProtocol.WriteMessagesSuccessful$.class);
    List<Outcome> outcomes = new ArrayList<>();
    for (List<Object> aw : atomicWrites) {
      Outcome first = null;
      for (int i = 0; i < aw.size(); i++) {
        Object reply = probe.expectMsgAnyClassOf(
            JournalProtocol.WriteMessageSuccess.class, JournalProtocol.WriteMessageRejected.class);
        Outcome o = reply instanceof JournalProtocol.WriteMessageRejected r ? new Rejected(r.cause()) : new Stored();
        first = first == null ? o : first;
      }
      outcomes.add(first);
    }
    return outcomes;
  }

  /** Writes single-event AtomicWrites, one per event, and fails if any is rejected. */
  public void persist(String pid, long firstSeq, Object... events) {
    List<List<Object>> aws = new ArrayList<>();
    for (Object e : events) {
      aws.add(List.of(e));
    }
    for (Outcome o : write(pid, firstSeq, aws)) {
      if (!(o instanceof Stored)) {
        throw new AssertionError("write rejected: " + o);
      }
    }
  }

  /** What a recovery sees: the replayed events and the highest sequence number. */
  public record Replay(List<PersistentRepr> events, long highestSequenceNr) {
    public List<Object> payloads() {
      return events.stream().map(PersistentRepr::payload).toList();
    }

    public List<Long> seqNrs() {
      return events.stream().map(PersistentRepr::sequenceNr).toList();
    }
  }

  public Replay replay(String pid) {
    return replay(pid, 1, Long.MAX_VALUE, Long.MAX_VALUE);
  }

  public Replay replay(String pid, long from, long to, long max) {
    var probe = new org.apache.pekko.testkit.javadsl.TestKit(system);
    journal.tell(new JournalProtocol.ReplayMessages(from, to, max, pid, probe.getRef()), ActorRef.noSender());
    List<PersistentRepr> events = new ArrayList<>();
    while (true) {
      Object msg = probe.expectMsgAnyClassOf(
          JournalProtocol.ReplayedMessage.class, JournalProtocol.RecoverySuccess.class,
          JournalProtocol.ReplayMessagesFailure.class);
      if (msg instanceof JournalProtocol.ReplayedMessage m) {
        events.add(m.persistent());
      } else if (msg instanceof JournalProtocol.RecoverySuccess s) {
        return new Replay(events, s.highestSequenceNr());
      } else {
        throw new AssertionError("replay failed", ((JournalProtocol.ReplayMessagesFailure) msg).cause());
      }
    }
  }

  public void deleteTo(String pid, long toSeq) {
    var probe = new org.apache.pekko.testkit.javadsl.TestKit(system);
    journal.tell(new JournalProtocol.DeleteMessagesTo(pid, toSeq, probe.getRef()), ActorRef.noSender());
    probe.expectMsgClass(org.apache.pekko.persistence.DeleteMessagesSuccess.class);
  }

  private JournalProtocol.WriteMessages writeMessages(
      String pid, long firstSeq, List<List<Object>> atomicWrites, ActorRef replyTo) {
    List<PersistentEnvelope> envelopes = new ArrayList<>();
    long seq = firstSeq;
    for (List<Object> aw : atomicWrites) {
      List<PersistentRepr> reprs = new ArrayList<>();
      for (Object event : aw) {
        reprs.add(PersistentRepr.apply(event, seq++, pid, "", false, ActorRef.noSender(), writerUuid));
      }
      envelopes.add(AtomicWrite.apply(CollectionConverters.asScala(reprs).toList()));
    }
    return new JournalProtocol.WriteMessages(CollectionConverters.asScala(envelopes).toList(), replyTo, 1);
  }

  /** Convenience for a rejected outcome's cause. */
  public static Optional<Throwable> rejection(Outcome o) {
    return o instanceof Rejected r ? Optional.of(r.cause()) : Optional.empty();
  }
}
