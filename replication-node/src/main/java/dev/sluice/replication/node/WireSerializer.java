package dev.sluice.replication.node;

import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.SerializerWithStringManifest;

/**
 * Pekko's serializer for the replication wire ({@link Wire.Batch}, {@link Wire.Chunk},
 * {@link Wire.Delivered}); the format is {@link WireCodec}'s. Bound to {@link ReplicationSerializable}
 * in this module's {@code reference.conf}.
 *
 * <p>Actor references travel as Pekko's serialization format (path with uid). A batch names its
 * sender's batcher and, per item, a writer actor; the same few references come back in every batch,
 * so resolved references are cached (bounded: cleared when it grows past {@link #MAX_CACHED_REFS},
 * which only costs re-resolving). A cached reference to an actor that has stopped behaves like a
 * fresh resolution of it: messages go to dead letters.
 *
 * <p>Thread-safe: Artery calls it from several lanes at once.
 */
public final class WireSerializer extends SerializerWithStringManifest {
  /** Pekko serializer id; unique in the actor system (Pekko reserves 0-40). */
  public static final int IDENTIFIER = 731_001;

  static final int MAX_CACHED_REFS = 8_192;

  private final ExtendedActorSystem system;
  private volatile ActorRefResolver resolver;
  private final ConcurrentHashMap<String, ActorRef<?>> resolved = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<ActorRef<?>, String> formatted = new ConcurrentHashMap<>();

  public WireSerializer(ExtendedActorSystem system) {
    this.system = system;
  }

  @Override
  public int identifier() {
    return IDENTIFIER;
  }

  @Override
  public String manifest(Object o) {
    return WireCodec.manifest(o);
  }

  @Override
  public byte[] toBinary(Object o) {
    return WireCodec.encode(o, this::format);
  }

  @Override
  public Object fromBinary(byte[] bytes, String manifest) {
    return WireCodec.decode(bytes, manifest, this::resolve);
  }

  // The resolver is looked up lazily: serializers are created while the actor system starts, before
  // the typed extension may be used.
  private ActorRefResolver resolver() {
    ActorRefResolver r = resolver;
    if (r == null) {
      r = ActorRefResolver.get(Adapter.toTyped(system));
      resolver = r;
    }
    return r;
  }

  private String format(ActorRef<?> ref) {
    String s = formatted.get(ref);
    if (s == null) {
      s = resolver().toSerializationFormat(ref);
      if (formatted.size() >= MAX_CACHED_REFS) formatted.clear();
      formatted.put(ref, s);
    }
    return s;
  }

  private ActorRef<?> resolve(String s) {
    ActorRef<?> ref = resolved.get(s);
    if (ref == null) {
      ref = resolver().resolveActorRef(s);
      if (resolved.size() >= MAX_CACHED_REFS) resolved.clear();
      resolved.put(s, ref);
    }
    return ref;
  }
}
