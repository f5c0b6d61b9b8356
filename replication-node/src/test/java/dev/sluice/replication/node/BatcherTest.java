package dev.sluice.replication.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.replication.Address;
import dev.sluice.replication.Entry;
import dev.sluice.replication.Message;
import dev.sluice.replication.Payload;
import dev.sluice.replication.node.Wire.Batch;
import dev.sluice.replication.node.Wire.Chunk;
import dev.sluice.replication.node.Wire.Delivered;
import dev.sluice.replication.node.Wire.ToReplicaItem;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The per-peer batcher against a probe standing in for the peer's ReplicaNode. */
class BatcherTest {
  static ActorTestKit kit;
  /** A window of one byte: one batch in flight at a time, so what queues meanwhile is deterministic. */
  static final ReplicationSettings.Transport SETTINGS = settings(1, Duration.ofSeconds(30));

  static ReplicationSettings.Transport settings(long windowBytes, Duration ackTimeout) {
    return new ReplicationSettings.Transport(128 * 1024, 4096, 192 * 1024, 128 * 1024, ackTimeout, 32L << 20, windowBytes, Duration.ofMillis(50));
  }

  @BeforeAll
  static void start() {
    kit = ActorTestKit.create("batcher-test", ThreeNodes.config());
  }

  @AfterAll
  static void stop() {
    kit.shutdownTestKit();
  }

  private static ToReplicaItem append(String stream, long seq, int payloadBytes) {
    Entry e = new Entry(seq, 1, new Payload(new byte[payloadBytes]), null);
    return new ToReplicaItem(Address.writer(0), null, new Message.Append(stream, 1, seq - 1, 1, List.of(e), 0, 0));
  }

  @Test
  void whatQueuesWhileABatchIsInFlightLeavesAsOneBatchOnItsAck() {
    TestProbe<ReplicaNode.Command> peer = kit.createTestProbe();
    ActorRef<Batcher.Command> batcher = kit.spawn(Batcher.create(0, peer.getRef(), SETTINGS));
    batcher.tell(new Batcher.Enqueue(append("a", 1, 10)));
    Batch first = peer.expectMessageClass(Batch.class);
    assertEquals(1, first.items().size(), "an idle link sends at once, alone");

    for (int i = 0; i < 50; i++) batcher.tell(new Batcher.Enqueue(append(i % 2 == 0 ? "a" : "b", 2 + i, 10)));
    batcher.tell(new Delivered(first.id()));
    Batch second = peer.expectMessageClass(Batch.class);
    assertEquals(50, second.items().size(), "everything queued during the round trip, streams mixed");
    batcher.tell(new Delivered(second.id()));
    peer.expectNoMessage(Duration.ofMillis(100));
  }

  @Test
  void batchesStayUnderTheByteBudget() {
    TestProbe<ReplicaNode.Command> peer = kit.createTestProbe();
    ActorRef<Batcher.Command> batcher = kit.spawn(Batcher.create(0, peer.getRef(), SETTINGS));
    batcher.tell(new Batcher.Enqueue(append("a", 1, 10)));
    Batch first = peer.expectMessageClass(Batch.class);
    for (int i = 0; i < 10; i++) batcher.tell(new Batcher.Enqueue(append("a", 2 + i, 40 * 1024)));
    List<Integer> sizes = new ArrayList<>();
    long id = first.id();
    int seen = 0;
    while (seen < 10) {
      batcher.tell(new Delivered(id));
      Batch b = peer.expectMessageClass(Batch.class);
      long bytes = b.items().stream().mapToLong(Wire::estimate).sum();
      assertTrue(bytes <= SETTINGS.maxBatchBytes(), "batch of " + bytes + " bytes");
      sizes.add(b.items().size());
      seen += b.items().size();
      id = b.id();
    }
    assertEquals(List.of(3, 3, 3, 1), sizes);
  }

  @Test
  void anEntryAboveTheFrameGoesAsChunksUnderTheFrame() {
    TestProbe<ReplicaNode.Command> peer = kit.createTestProbe();
    ActorRef<Batcher.Command> batcher = kit.spawn(Batcher.create(0, peer.getRef(), SETTINGS));
    batcher.tell(new Batcher.Enqueue(append("a", 1, 1 << 20)));
    List<Chunk> chunks = new ArrayList<>();
    Chunk c = peer.expectMessageClass(Chunk.class);
    chunks.add(c);
    while (chunks.size() < c.count()) chunks.add(peer.expectMessageClass(Chunk.class));
    assertTrue(c.count() >= 8, "1 MiB in 128 KiB chunks, was " + c.count());
    for (int i = 0; i < chunks.size(); i++) {
      assertEquals(i, chunks.get(i).index());
      assertTrue(chunks.get(i).bytes().length <= SETTINGS.chunkBytes());
    }
    batcher.tell(new Batcher.Enqueue(append("a", 2, 10)));
    peer.expectNoMessage(Duration.ofMillis(100)); // the chunked batch is still in flight
    batcher.tell(new Delivered(c.id()));
    assertEquals(1, peer.expectMessageClass(Batch.class).items().size());
  }

  @Test
  void anUnansweredBatchIsTakenAsLostAfterTheAckTimeout() {
    TestProbe<ReplicaNode.Command> peer = kit.createTestProbe();
    var quick = settings(1, Duration.ofMillis(200));
    ActorRef<Batcher.Command> batcher = kit.spawn(Batcher.create(0, peer.getRef(), quick));
    batcher.tell(new Batcher.Enqueue(append("a", 1, 10)));
    peer.expectMessageClass(Batch.class);
    batcher.tell(new Batcher.Enqueue(append("a", 2, 10)));
    Batch next = peer.expectMessageClass(Batch.class, Duration.ofSeconds(5));
    assertEquals(2L, ((Message.Append) ((ToReplicaItem) next.items().get(0)).message()).entries().get(0).seq());
  }

  @Test
  void batchesFlowWithoutAnAcknowledgementWhileTheWindowHasRoom() {
    TestProbe<ReplicaNode.Command> peer = kit.createTestProbe();
    long one = Wire.estimate(append("a", 1, 10));
    ActorRef<Batcher.Command> batcher = kit.spawn(Batcher.create(0, peer.getRef(), settings(3 * one, Duration.ofSeconds(30))));
    for (int seq = 1; seq <= 3; seq++) {
      batcher.tell(new Batcher.Enqueue(append("a", seq, 10)));
      Batch b = peer.expectMessageClass(Batch.class);
      assertEquals(seq, b.id(), "batch " + seq + " leaves with earlier ones unacknowledged");
    }
    // Three unacknowledged batches fill the window: the next waits for an acknowledgement.
    batcher.tell(new Batcher.Enqueue(append("a", 4, 10)));
    batcher.tell(new Batcher.Enqueue(append("a", 5, 10)));
    peer.expectNoMessage(Duration.ofMillis(100));
    batcher.tell(new Delivered(2)); // cumulative: batches 1 and 2
    Batch next = peer.expectMessageClass(Batch.class);
    assertEquals(2, next.items().size(), "what queued behind the full window leaves as one batch");
  }
}
