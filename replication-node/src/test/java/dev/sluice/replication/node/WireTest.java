package dev.sluice.replication.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.replication.Address;
import dev.sluice.replication.Entry;
import dev.sluice.replication.Message;
import dev.sluice.replication.Payload;
import dev.sluice.replication.ProducerStamp;
import dev.sluice.replication.node.Wire.Batch;
import dev.sluice.replication.node.Wire.Chunk;
import dev.sluice.replication.node.Wire.Delivered;
import dev.sluice.replication.node.Wire.Item;
import dev.sluice.replication.node.Wire.ToReplicaItem;
import dev.sluice.replication.node.Wire.ToWriterItem;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every wire message round-trips through the binding in reference.conf ({@link WireSerializer}), bytes
 * included, and malformed bytes fail with a {@link WireCodec.WireFormatException}, never another error.
 */
class WireTest {
  static ActorTestKit kit;
  static Serialization serialization;

  @BeforeAll
  static void start() {
    kit = ActorTestKit.create("wire-test", ThreeNodes.config());
    serialization = SerializationExtension.get(Adapter.toClassic(kit.system()));
  }

  @AfterAll
  static void stop() {
    kit.shutdownTestKit();
  }

  static List<Message.ToReplica> everyToReplica() {
    List<Entry> entries = List.of(
        new Entry(4, 7, new Payload(new byte[] {0, -1, 127, -128, 10}), null),
        new Entry(5, 7, Payload.utf8("x"), new ProducerStamp("producer-1", 2, 9)));
    return List.of(
        new Message.Fence("s", 65536),
        new Message.Append("s", 65537, 3, 65536, entries, 3, 5),
        new Message.Commit("s", 65537, 5),
        new Message.Probe("s", 65537, 11),
        new Message.Read("s", 12, 0, 64, 1024, 65537),
        new Message.AskTail("s", 2),
        new Message.TailInfo("s", 1, 65537, 5, false, 65537),
        new Message.Tick("s"));
  }

  static List<Message.ToWriter> everyToWriter() {
    return List.of(
        new Message.Promise("s", 1, 65537, "disk-1", 5, 65536, 3),
        new Message.Reject("s", 1, 65537, 131072),
        new Message.Unknown("s", 2, 65537),
        new Message.Ack("s", 1, 65537, 5, true),
        new Message.Fenced("s", 1, 65537, 131072),
        new Message.Gap("s", 1, 65537, 2, 1),
        new Message.ProbeOk("s", 1, 65537, 11),
        new Message.ReadOk("s", 1, 12, 3, 65536, List.of(new Entry(4, 65536, Payload.utf8("y"), null)), 3, 5),
        new Message.ReadUnavailable("s", 2, 12),
        new Message.ClientAppend(3, Payload.utf8("z"), new ProducerStamp("p", 0, 0)));
  }

  @Test
  void everyProtocolMessageRoundTripsInsideABatch() {
    TestProbe<WriterDriver.Command> writer = kit.createTestProbe();
    TestProbe<Batcher.Command> batcher = kit.createTestProbe();
    List<Item> items = new java.util.ArrayList<>();
    for (Message.ToReplica m : everyToReplica()) items.add(new ToReplicaItem(Address.writer(0), writer.getRef(), m));
    items.add(new ToReplicaItem(Address.replica(2), null, new Message.Tick("s")));
    for (Message.ToWriter m : everyToWriter()) items.add(new ToWriterItem(writer.getRef(), Address.replica(1), m));
    Batch batch = new Batch(0, 42, batcher.getRef(), items);
    assertEquals(batch, roundTrip(batch));
    for (Item i : items) assertEquals(i, roundTrip(i));
    assertEquals(new Delivered(42), roundTrip(new Delivered(42)));
  }

  @Test
  void chunkBytesRoundTrip() {
    TestProbe<Batcher.Command> batcher = kit.createTestProbe();
    byte[] bytes = new byte[300];
    for (int i = 0; i < bytes.length; i++) bytes[i] = (byte) i;
    Chunk c = new Chunk(1, 7, 0, 2, 33, "manifest", bytes, batcher.getRef());
    Chunk back = (Chunk) roundTrip(c);
    assertArrayEquals(bytes, back.bytes());
    assertEquals(List.of(c.fromNode(), c.id(), c.index(), c.count(), c.serializerId(), c.manifest(), c.ackTo()),
        List.of(back.fromNode(), back.id(), back.index(), back.count(), back.serializerId(), back.manifest(), back.ackTo()));
  }

  @Test
  void theTestListsCoverEverySubtypeOfTheSealedInterfaces() {
    // A new message type must get a wire tag in WireCodec; this list is what the round trip covers.
    assertEquals(permitted(Message.ToReplica.class), everyToReplica().stream().map(Object::getClass).collect(Collectors.toSet()));
    assertEquals(permitted(Message.ToWriter.class), everyToWriter().stream().map(Object::getClass).collect(Collectors.toSet()));
  }

  @Test
  void truncatedOrCorruptedBatchesFailWithAWireFormatErrorOnly() {
    TestProbe<WriterDriver.Command> writer = kit.createTestProbe();
    TestProbe<Batcher.Command> batcher = kit.createTestProbe();
    List<Item> items = new java.util.ArrayList<>();
    for (Message.ToReplica m : everyToReplica()) items.add(new ToReplicaItem(Address.writer(0), writer.getRef(), m));
    for (Message.ToWriter m : everyToWriter()) items.add(new ToWriterItem(writer.getRef(), Address.replica(1), m));
    Batch batch = new Batch(0, 42, batcher.getRef(), items);
    WireSerializer serializer = (WireSerializer) serialization.findSerializerFor(batch);
    byte[] bytes = serialization.serialize(batch).get();
    String manifest = Serializers.manifestFor(serializer, batch);
    for (int cut = 0; cut < bytes.length; cut++) {
      byte[] shorter = Arrays.copyOf(bytes, cut);
      assertThrows(WireCodec.WireFormatException.class, () -> serializer.fromBinary(shorter, manifest), "cut at " + cut);
    }
    java.util.Random random = new java.util.Random(7);
    for (int i = 0; i < 2_000; i++) {
      byte[] flipped = bytes.clone();
      flipped[random.nextInt(flipped.length)] ^= (byte) (1 + random.nextInt(255));
      try {
        serializer.fromBinary(flipped, manifest); // a flipped payload byte still decodes
      } catch (WireCodec.WireFormatException expected) {
        // fine: detected
      }
    }
    assertThrows(WireCodec.WireFormatException.class, () -> serializer.fromBinary(bytes, "nope"));
  }

  private static Set<Class<?>> permitted(Class<?> sealed) {
    return Arrays.stream(sealed.getPermittedSubclasses()).collect(Collectors.toSet());
  }

  private static Object roundTrip(Object o) {
    Serializer serializer = serialization.findSerializerFor(o);
    assertEquals(WireSerializer.class, serializer.getClass(), "serializer of " + o.getClass());
    byte[] bytes = serialization.serialize(o).get();
    return serialization.deserialize(bytes, serializer.identifier(), Serializers.manifestFor(serializer, o)).get();
  }
}
