package dev.sluice.replication.node;

import dev.sluice.replication.Address;
import dev.sluice.replication.Entry;
import dev.sluice.replication.Message;
import dev.sluice.replication.Message.ToReplica;
import dev.sluice.replication.Message.ToWriter;
import dev.sluice.replication.Payload;
import dev.sluice.replication.ProducerStamp;
import dev.sluice.replication.node.Wire.Batch;
import dev.sluice.replication.node.Wire.Chunk;
import dev.sluice.replication.node.Wire.Delivered;
import dev.sluice.replication.node.Wire.Item;
import dev.sluice.replication.node.Wire.ToReplicaItem;
import dev.sluice.replication.node.Wire.ToWriterItem;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The binary format of {@link Wire}'s messages: fixed-width big-endian numbers, length-prefixed UTF-8
 * strings and byte strings, one tag byte per record type. Pure code; actor references go through the
 * two functions the serializer passes in.
 *
 * <p>Why not Jackson CBOR (the first format): its reflective, polymorphic (de)serialization of these
 * envelopes cost several times more per batch, most of all when decoding (docs/replication-node.md
 * "Wire format" has the figures). Every field here is a number, a string or opaque bytes, so a
 * hand-written format is short and allocation-light.
 *
 * <p>The tags are part of the format: never renumber one; add new ones. {@code WireCodecTest} checks
 * that every permitted subtype of the sealed message interfaces has a tag and round-trips.
 */
final class WireCodec {
  private WireCodec() {}

  /** A malformed or unknown message (a peer of another version, or corruption in transit). */
  static final class WireFormatException extends RuntimeException {
    WireFormatException(String message) {
      super(message);
    }
  }

  // Envelope tags (the serializer's manifests carry the same letters).
  static final String BATCH = "B";
  static final String CHUNK = "C";
  static final String DELIVERED = "D";
  static final String ITEM = "I";

  private static final byte ITEM_TO_REPLICA = 'R';
  private static final byte ITEM_TO_WRITER = 'W';

  // Message tags.
  private static final byte FENCE = 1;
  private static final byte APPEND = 2;
  private static final byte COMMIT = 3;
  private static final byte PROBE = 4;
  private static final byte READ = 5;
  private static final byte ASK_TAIL = 6;
  private static final byte TAIL_INFO = 7;
  private static final byte TICK = 8;
  private static final byte PROMISE = 20;
  private static final byte REJECT = 21;
  private static final byte UNKNOWN = 22;
  private static final byte ACK = 23;
  private static final byte FENCED = 24;
  private static final byte GAP = 25;
  private static final byte PROBE_OK = 26;
  private static final byte READ_OK = 27;
  private static final byte READ_UNAVAILABLE = 28;
  private static final byte CLIENT_APPEND = 29;

  static String manifest(Object o) {
    if (o instanceof Batch) return BATCH;
    if (o instanceof Chunk) return CHUNK;
    if (o instanceof Delivered) return DELIVERED;
    if (o instanceof Item) return ITEM;
    throw new IllegalArgumentException("not a wire envelope: " + o.getClass().getName());
  }

  // ------------------------------------------------------------------ encoding

  static byte[] encode(Object o, Function<ActorRef<?>, String> refs) {
    Out out = new Out(o instanceof Batch b ? 64 + (int) Math.min(Integer.MAX_VALUE / 2, estimate(b)) : 64);
    if (o instanceof Batch b) {
      out.i32(b.fromNode());
      out.i64(b.id());
      out.str(refs.apply(b.ackTo()));
      out.i32(b.items().size());
      for (Item item : b.items()) item(out, item, refs);
    } else if (o instanceof Chunk c) {
      out.i32(c.fromNode());
      out.i64(c.id());
      out.i32(c.index());
      out.i32(c.count());
      out.i32(c.serializerId());
      out.str(c.manifest());
      out.bytes(c.bytes());
      out.str(refs.apply(c.ackTo()));
    } else if (o instanceof Delivered d) {
      out.i64(d.id());
    } else if (o instanceof Item i) {
      item(out, i, refs);
    } else {
      throw new IllegalArgumentException("not a wire envelope: " + o.getClass().getName());
    }
    return out.toArray();
  }

  private static long estimate(Batch b) {
    long n = 0;
    for (Item i : b.items()) n += Wire.estimate(i);
    return n;
  }

  private static void item(Out out, Item item, Function<ActorRef<?>, String> refs) {
    if (item instanceof ToReplicaItem r) {
      out.u8(ITEM_TO_REPLICA);
      address(out, r.from());
      out.str(r.replyTo() == null ? null : refs.apply(r.replyTo()));
      toReplica(out, r.message());
    } else {
      ToWriterItem w = (ToWriterItem) item;
      out.u8(ITEM_TO_WRITER);
      out.str(refs.apply(w.to()));
      address(out, w.from());
      toWriter(out, w.message());
    }
  }

  private static void address(Out out, Address a) {
    out.u8(a.kind().ordinal());
    out.i32(a.id());
  }

  private static void toReplica(Out out, ToReplica m) {
    if (m instanceof Message.Fence f) {
      out.u8(FENCE); out.str(f.stream()); out.i64(f.epoch());
    } else if (m instanceof Message.Append a) {
      out.u8(APPEND); out.str(a.stream()); out.i64(a.epoch()); out.i64(a.prevSeq()); out.i64(a.prevEpoch());
      entries(out, a.entries()); out.i64(a.lac()); out.i64(a.recoveredTail());
    } else if (m instanceof Message.Commit c) {
      out.u8(COMMIT); out.str(c.stream()); out.i64(c.epoch()); out.i64(c.lac());
    } else if (m instanceof Message.Probe p) {
      out.u8(PROBE); out.str(p.stream()); out.i64(p.epoch()); out.i64(p.nonce());
    } else if (m instanceof Message.Read r) {
      out.u8(READ); out.str(r.stream()); out.i64(r.requestId()); out.i64(r.fromSeq()); out.i32(r.max());
      out.i64(r.maxBytes()); out.i64(r.recoveryEpoch());
    } else if (m instanceof Message.AskTail a) {
      out.u8(ASK_TAIL); out.str(a.stream()); out.i32(a.replica());
    } else if (m instanceof Message.TailInfo t) {
      out.u8(TAIL_INFO); out.str(t.stream()); out.i32(t.replica()); out.i64(t.promised()); out.i64(t.tailSeq());
      out.bool(t.limbo()); out.i64(t.tailEpoch());
    } else if (m instanceof Message.Tick t) {
      out.u8(TICK); out.str(t.stream());
    } else {
      throw new IllegalArgumentException("no wire tag for " + m.getClass().getName());
    }
  }

  private static void toWriter(Out out, ToWriter m) {
    if (m instanceof Message.Promise p) {
      out.u8(PROMISE); out.str(p.stream()); out.i32(p.replica()); out.i64(p.epoch()); out.str(p.diskUuid());
      out.i64(p.tailSeq()); out.i64(p.tailEpoch()); out.i64(p.lac());
    } else if (m instanceof Message.Reject r) {
      out.u8(REJECT); out.str(r.stream()); out.i32(r.replica()); out.i64(r.epoch()); out.i64(r.promised());
    } else if (m instanceof Message.Unknown u) {
      out.u8(UNKNOWN); out.str(u.stream()); out.i32(u.replica()); out.i64(u.epoch());
    } else if (m instanceof Message.Ack a) {
      out.u8(ACK); out.str(a.stream()); out.i32(a.replica()); out.i64(a.epoch()); out.i64(a.lastSeq()); out.bool(a.voting());
    } else if (m instanceof Message.Fenced f) {
      out.u8(FENCED); out.str(f.stream()); out.i32(f.replica()); out.i64(f.epoch()); out.i64(f.promised());
    } else if (m instanceof Message.Gap g) {
      out.u8(GAP); out.str(g.stream()); out.i32(g.replica()); out.i64(g.epoch()); out.i64(g.tailSeq()); out.i64(g.lac());
    } else if (m instanceof Message.ProbeOk p) {
      out.u8(PROBE_OK); out.str(p.stream()); out.i32(p.replica()); out.i64(p.epoch()); out.i64(p.nonce());
    } else if (m instanceof Message.ReadOk r) {
      out.u8(READ_OK); out.str(r.stream()); out.i32(r.replica()); out.i64(r.requestId()); out.i64(r.fromSeq());
      out.i64(r.fromEpoch()); entries(out, r.entries()); out.i64(r.lac()); out.i64(r.upTo());
    } else if (m instanceof Message.ReadUnavailable r) {
      out.u8(READ_UNAVAILABLE); out.str(r.stream()); out.i32(r.replica()); out.i64(r.requestId());
    } else if (m instanceof Message.ClientAppend c) {
      out.u8(CLIENT_APPEND); out.i64(c.requestId()); out.bytes(c.payload().bytes()); producer(out, c.producer());
    } else {
      throw new IllegalArgumentException("no wire tag for " + m.getClass().getName());
    }
  }

  private static void entries(Out out, List<Entry> entries) {
    out.i32(entries.size());
    for (Entry e : entries) {
      out.i64(e.seq());
      out.i64(e.epoch());
      out.bytes(e.payload().bytes());
      producer(out, e.producer());
    }
  }

  private static void producer(Out out, ProducerStamp p) {
    if (p == null) {
      out.bool(false);
      return;
    }
    out.bool(true);
    out.str(p.id());
    out.i64(p.epoch());
    out.i64(p.seq());
  }

  // ------------------------------------------------------------------ decoding

  static Object decode(byte[] bytes, String manifest, Function<String, ActorRef<?>> refs) {
    In in = new In(bytes);
    try {
      Object o = switch (manifest) {
        case BATCH -> batch(in, refs);
        case CHUNK -> new Chunk(in.i32(), in.i64(), in.i32(), in.i32(), in.i32(), in.str(), in.bytes(), ref(refs, in.str()));
        case DELIVERED -> new Delivered(in.i64());
        case ITEM -> item(in, refs);
        default -> throw new WireFormatException("unknown wire manifest '" + manifest + "'");
      };
      if (in.buf.hasRemaining()) throw new WireFormatException(in.buf.remaining() + " bytes left after a " + manifest);
      return o;
    } catch (BufferUnderflowException | IllegalArgumentException e) {
      throw new WireFormatException("malformed wire message '" + manifest + "' (" + bytes.length + " bytes): " + e);
    }
  }

  @SuppressWarnings("unchecked")
  private static <T> ActorRef<T> ref(Function<String, ActorRef<?>> refs, String s) {
    return s == null ? null : (ActorRef<T>) refs.apply(s);
  }

  private static Batch batch(In in, Function<String, ActorRef<?>> refs) {
    int fromNode = in.i32();
    long id = in.i64();
    ActorRef<Batcher.Command> ackTo = ref(refs, in.str());
    int n = in.count();
    List<Item> items = new ArrayList<>(n);
    for (int i = 0; i < n; i++) items.add(item(in, refs));
    return new Batch(fromNode, id, ackTo, items);
  }

  private static Item item(In in, Function<String, ActorRef<?>> refs) {
    byte tag = in.u8();
    if (tag == ITEM_TO_REPLICA) {
      Address from = address(in);
      ActorRef<WriterDriver.Command> replyTo = ref(refs, in.str());
      return new ToReplicaItem(from, replyTo, toReplica(in));
    }
    if (tag == ITEM_TO_WRITER) {
      ActorRef<WriterDriver.Command> to = ref(refs, in.str());
      Address from = address(in);
      return new ToWriterItem(to, from, toWriter(in));
    }
    throw new WireFormatException("unknown item tag " + tag);
  }

  private static Address address(In in) {
    int kind = in.u8() & 0xff;
    Address.Kind[] kinds = Address.Kind.values();
    if (kind >= kinds.length) throw new WireFormatException("unknown address kind " + kind);
    return new Address(kinds[kind], in.i32());
  }

  private static ToReplica toReplica(In in) {
    byte tag = in.u8();
    return switch (tag) {
      case FENCE -> new Message.Fence(in.str(), in.i64());
      case APPEND -> new Message.Append(in.str(), in.i64(), in.i64(), in.i64(), entries(in), in.i64(), in.i64());
      case COMMIT -> new Message.Commit(in.str(), in.i64(), in.i64());
      case PROBE -> new Message.Probe(in.str(), in.i64(), in.i64());
      case READ -> new Message.Read(in.str(), in.i64(), in.i64(), in.i32(), in.i64(), in.i64());
      case ASK_TAIL -> new Message.AskTail(in.str(), in.i32());
      case TAIL_INFO -> new Message.TailInfo(in.str(), in.i32(), in.i64(), in.i64(), in.bool(), in.i64());
      case TICK -> new Message.Tick(in.str());
      default -> throw new WireFormatException("unknown replica message tag " + tag);
    };
  }

  private static ToWriter toWriter(In in) {
    byte tag = in.u8();
    return switch (tag) {
      case PROMISE -> new Message.Promise(in.str(), in.i32(), in.i64(), in.str(), in.i64(), in.i64(), in.i64());
      case REJECT -> new Message.Reject(in.str(), in.i32(), in.i64(), in.i64());
      case UNKNOWN -> new Message.Unknown(in.str(), in.i32(), in.i64());
      case ACK -> new Message.Ack(in.str(), in.i32(), in.i64(), in.i64(), in.bool());
      case FENCED -> new Message.Fenced(in.str(), in.i32(), in.i64(), in.i64());
      case GAP -> new Message.Gap(in.str(), in.i32(), in.i64(), in.i64(), in.i64());
      case PROBE_OK -> new Message.ProbeOk(in.str(), in.i32(), in.i64(), in.i64());
      case READ_OK -> new Message.ReadOk(in.str(), in.i32(), in.i64(), in.i64(), in.i64(), entries(in), in.i64(), in.i64());
      case READ_UNAVAILABLE -> new Message.ReadUnavailable(in.str(), in.i32(), in.i64());
      case CLIENT_APPEND -> new Message.ClientAppend(in.i64(), new Payload(in.bytes()), producer(in));
      default -> throw new WireFormatException("unknown writer message tag " + tag);
    };
  }

  private static List<Entry> entries(In in) {
    int n = in.count();
    List<Entry> entries = new ArrayList<>(n);
    for (int i = 0; i < n; i++) entries.add(new Entry(in.i64(), in.i64(), new Payload(in.bytes()), producer(in)));
    return entries;
  }

  private static ProducerStamp producer(In in) {
    return in.bool() ? new ProducerStamp(in.str(), in.i64(), in.i64()) : null;
  }

  // ------------------------------------------------------------------ primitives

  /** A growable big-endian output buffer. */
  private static final class Out {
    private byte[] buf;
    private int len;

    Out(int initial) {
      buf = new byte[Math.max(16, initial)];
    }

    private void room(int n) {
      if (len + n > buf.length) buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
    }

    void u8(int v) {
      room(1);
      buf[len++] = (byte) v;
    }

    void bool(boolean v) {
      u8(v ? 1 : 0);
    }

    void i32(int v) {
      room(4);
      buf[len++] = (byte) (v >>> 24);
      buf[len++] = (byte) (v >>> 16);
      buf[len++] = (byte) (v >>> 8);
      buf[len++] = (byte) v;
    }

    void i64(long v) {
      i32((int) (v >>> 32));
      i32((int) v);
    }

    /** Length-prefixed bytes; length -1 for null. */
    void bytes(byte[] b) {
      if (b == null) {
        i32(-1);
        return;
      }
      i32(b.length);
      room(b.length);
      System.arraycopy(b, 0, buf, len, b.length);
      len += b.length;
    }

    void str(String s) {
      bytes(s == null ? null : s.getBytes(StandardCharsets.UTF_8));
    }

    byte[] toArray() {
      return len == buf.length ? buf : Arrays.copyOf(buf, len);
    }
  }

  /** The reading side of {@link Out}; every length is checked against what is left. */
  private static final class In {
    final ByteBuffer buf;

    In(byte[] bytes) {
      buf = ByteBuffer.wrap(bytes);
    }

    byte u8() {
      return buf.get();
    }

    boolean bool() {
      byte b = buf.get();
      if (b != 0 && b != 1) throw new WireFormatException("bad boolean " + b);
      return b == 1;
    }

    int i32() {
      return buf.getInt();
    }

    long i64() {
      return buf.getLong();
    }

    /** A collection size: never negative, never more elements than bytes left (each takes at least one). */
    int count() {
      int n = buf.getInt();
      if (n < 0 || n > buf.remaining()) throw new WireFormatException("bad element count " + n);
      return n;
    }

    byte[] bytes() {
      int n = buf.getInt();
      if (n == -1) return null;
      if (n < 0 || n > buf.remaining()) throw new WireFormatException("bad length " + n + " with " + buf.remaining() + " left");
      byte[] b = new byte[n];
      buf.get(b);
      return b;
    }

    String str() {
      byte[] b = bytes();
      return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }
  }
}
