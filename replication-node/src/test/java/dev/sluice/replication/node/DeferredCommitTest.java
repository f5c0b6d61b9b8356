package dev.sluice.replication.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.typesafe.config.ConfigFactory;
import dev.sluice.replication.Address;
import dev.sluice.replication.Entry;
import dev.sluice.replication.Message;
import dev.sluice.replication.Payload;
import dev.sluice.replication.node.Wire.ToReplicaItem;
import dev.sluice.replication.node.Wire.ToWriterItem;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A follower's bare commit rides the stream's next persist ({@code replica.follower-commit-delay});
 * the local writer's commits never wait. One ReplicaNode (ordinal 0), a probe as the writer.
 */
class DeferredCommitTest {
  private static final long E = 65536 + 1; // epoch 1 of the writer on node 1 (a follower's view)

  private ActorTestKit kit;
  private InMemoryReplicaStore store;
  private ActorRef<ReplicaNode.Command> replica;
  private TestProbe<WriterDriver.Command> writer;
  /** The outbox toward node 1, where the writer lives: its replies arrive here. */
  private TestProbe<Batcher.Command> toNode1;

  private void start(String delay) {
    kit = ActorTestKit.create("deferred-commit-test",
        ConfigFactory.parseString("sluice.replication.replica.follower-commit-delay = " + delay).withFallback(ThreeNodes.config()));
    store = new InMemoryReplicaStore(0);
    String self = "127.0.0.1:" + kit.system().address().getPort().orElseThrow();
    ReplicationSettings settings = ReplicationSettings.fromConfig(kit.system().settings().config())
        .withNodes(List.of(self, "127.0.0.1:9", "127.0.0.1:10"), 0);
    toNode1 = kit.createTestProbe();
    TestProbe<Batcher.Command> toNode2 = kit.createTestProbe();
    replica = kit.spawn(ReplicaNode.create(settings, store, new Transport(0, null, Arrays.asList(null, toNode1.getRef(), toNode2.getRef()))));
    writer = kit.createTestProbe();
  }

  @AfterEach
  void stop() {
    if (kit != null) kit.shutdownTestKit();
    if (store != null) store.close();
  }

  private void send(int writerNode, Message.ToReplica m) {
    replica.tell(new ToReplicaItem(Address.writer(writerNode), writer.getRef(), m));
  }

  /** The next reply to the writer: through the outbox of node 1 for a follower, directly for the local writer. */
  private Message reply(int writerNode) {
    if (writerNode == 0) return writer.expectMessageClass(ToWriterItem.class, Duration.ofSeconds(10)).message();
    Batcher.Enqueue e = toNode1.expectMessageClass(Batcher.Enqueue.class, Duration.ofSeconds(10));
    return ((ToWriterItem) e.item()).message();
  }

  private static Message.Append append(long prev, long prevEpoch, long lac, String value) {
    return new Message.Append("s", E, prev, prevEpoch, List.of(new Entry(prev + 1, E, Payload.utf8(value), null)), lac, 0);
  }

  /** Fence and one entry from writer {@code node}; returns the store's persist count after them. */
  private long fencedWithOneEntry(int node) {
    send(node, new Message.Fence("s", E));
    assertInstanceOf(Message.Promise.class, reply(node));
    send(node, append(0, 0, 0, "a"));
    assertInstanceOf(Message.Ack.class, reply(node));
    return store.persists();
  }

  @Test
  void aFollowersCommitRidesTheNextAppendsPersist() {
    start("10m"); // longer than the test: only the next append can carry it
    long before = fencedWithOneEntry(1);
    send(1, new Message.Commit("s", E, 1));
    send(1, append(1, E, 1, "b"));
    assertInstanceOf(Message.Ack.class, reply(1));
    assertEquals(before + 1, store.persists(), "the commit and the next entry in one store call");
    assertEquals(1, store.meta("s").lac());
    assertEquals(List.of(1L), List.copyOf(store.readable("s").keySet()), "entry 1 materialized with it");
    assertEquals(null, store.contractViolation());
  }

  @Test
  void aFollowersLoneCommitIsPersistedWhenTheDelayRunsOut() {
    start("20ms");
    fencedWithOneEntry(1);
    send(1, new Message.Commit("s", E, 1));
    ThreeNodes.await("the deferred commit flushed", Duration.ofSeconds(10), () -> store.meta("s").lac() == 1);
    assertEquals(List.of(1L), List.copyOf(store.readable("s").keySet()));
  }

  @Test
  void theLocalWritersCommitIsPersistedAtOnce() {
    start("10m");
    fencedWithOneEntry(0);
    send(0, new Message.Commit("s", E, 1));
    // Within 10 s, against a 10-minute delay: it did not wait.
    ThreeNodes.await("the local writer's commit persisted", Duration.ofSeconds(10), () -> store.meta("s").lac() == 1);
    assertEquals(List.of(1L), List.copyOf(store.readable("s").keySet()));
  }
}
