package dev.sluice.replication.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.sluice.replication.Address;
import dev.sluice.replication.Message;
import dev.sluice.replication.Writer;
import dev.sluice.replication.node.Wire.ToReplicaItem;
import dev.sluice.replication.node.Wire.ToWriterItem;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** One node's ReplicaNode, driven directly with a probe as the writer: ordering and persist failures. */
class ReplicaNodeTest {
  private static final long E1 = 65536;
  private static final long E2 = 2 * 65536;

  private ActorTestKit kit;
  private InMemoryReplicaStore store;
  private ReplicationNode node;
  private ActorRef<ReplicaNode.Command> replica;
  private TestProbe<WriterDriver.Command> writer;

  @BeforeEach
  void start() {
    kit = ActorTestKit.create("replica-node-test", ThreeNodes.config());
    store = new InMemoryReplicaStore(0);
    String self = "127.0.0.1:" + kit.system().address().getPort().orElseThrow();
    // The peers are never contacted here (no limbo), so any endpoints do.
    ReplicationSettings settings = ReplicationSettings.fromConfig(kit.system().settings().config())
        .withNodes(List.of(self, "127.0.0.1:9", "127.0.0.1:10"), 0)
        .withWriter(Writer.Settings.defaults()); // the simulator's short timeouts: a lonely writer gives up fast
    node = ReplicationNode.start(kit.system(), settings, store);
    replica = node.replicaNode();
    writer = kit.createTestProbe();
  }

  @AfterEach
  void stop() {
    kit.shutdownTestKit();
    store.close();
  }

  private void send(Message.ToReplica m) {
    replica.tell(new ToReplicaItem(Address.writer(0), writer.getRef(), m));
  }

  private Message reply() {
    return writer.expectMessageClass(ToWriterItem.class, Duration.ofSeconds(10)).message();
  }

  @Test
  void aFailedPersistDropsTheRepliesThatDependOnItAndTheStreamReloadsFromTheStore() {
    store.failNext(1);
    send(new Message.Fence("s", E1));
    // Once the failure is handled the stream is reloaded: its promise is the durable one again.
    TestProbe<WriterDriver.Command> query = kit.createTestProbe();
    ThreeNodes.await("the failed stream reloaded", Duration.ofSeconds(10), () -> {
      replica.tell(new ReplicaNode.ReadPromise("s", query.getRef()));
      return query.expectMessageClass(WriterDriver.LocalPromise.class).promised() == 0;
    });
    send(new Message.Fence("s", E2));
    Message.Promise p = (Message.Promise) reply();
    assertEquals(E2, p.epoch(), "the promise of the failed persist was never sent");
    assertEquals(E2, store.meta("s").promised());
  }

  @Test
  void aStreamWithASlowDiskDoesNotHoldUpAnother() {
    store.delay("slow", 1_000);
    send(new Message.Fence("slow", E1));
    send(new Message.Fence("fast", E1));
    assertEquals("fast", ((Message.Promise) reply()).stream());
    assertEquals("slow", ((Message.Promise) reply()).stream());
  }

  @Test
  void aReplyWithoutAPersistOfItsOwnStillWaitsForTheStreamsEarlierPersist() {
    store.delay("s", 300);
    send(new Message.Fence("s", E1));
    send(new Message.Probe("s", E1, 7));
    assertInstanceOf(Message.Promise.class, reply());
    assertInstanceOf(Message.ProbeOk.class, reply());
  }

  @Test
  void aWriterWithoutAQuorumFailsToOpenAndItsAppendsAreRejected() throws Exception {
    WriterDriver lonely = node.openWriter("lonely");
    CompletableFuture<Long> early = lonely.append(new byte[] {1}).toCompletableFuture();
    ExecutionException open = assertThrows(ExecutionException.class, () -> lonely.opened().toCompletableFuture().get(10, TimeUnit.SECONDS));
    assertEquals(Writer.CloseReason.TIMEOUT, ((WriterDriver.WriterClosedException) open.getCause()).reason());
    ExecutionException waited = assertThrows(ExecutionException.class, () -> early.get(10, TimeUnit.SECONDS));
    assertEquals(Message.Reason.NOT_OWNER, ((WriterDriver.AppendRejectedException) waited.getCause()).reason());
    ExecutionException late = assertThrows(ExecutionException.class, () -> lonely.append(new byte[] {2}).toCompletableFuture().get(10, TimeUnit.SECONDS));
    assertEquals(Message.Reason.NOT_OWNER, ((WriterDriver.AppendRejectedException) late.getCause()).reason());
    lonely.stop();
  }
}
