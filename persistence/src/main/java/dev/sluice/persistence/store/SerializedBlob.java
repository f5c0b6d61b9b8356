package dev.sluice.persistence.store;

import dev.sluice.core.Bytes;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.Serialization$;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;

/**
 * INTERNAL API. An object in Pekko-serialized form: serializer id, manifest and bytes, i.e. exactly
 * what {@link Serialization#deserialize(byte[], int, String)} needs to read it back with whatever
 * serializer the binding named when it was written. Immutable.
 */
public record SerializedBlob(int serializerId, String manifest, Bytes bytes) {

  /**
   * Serializes {@code o} with the serializer bound to its class.
   *
   * @throws Exception when no serializer is bound or the serializer fails; callers treat this as
   *     "definitely not stored" (a rejection), never as a storage failure
   */
  public static SerializedBlob of(Serialization serialization, Object o) throws Exception {
    // Serializers of ActorRefs need the system's transport address, as when Pekko remoting
    // serializes; without it they throw "currentTransportInformation was not set".
    return Serialization$.MODULE$.withTransportInformation(serialization.system(), () -> {
      Serializer serializer = serialization.findSerializerFor(o);
      byte[] bytes = serializer.toBinary(o);
      return new SerializedBlob(serializer.identifier(), Serializers.manifestFor(serializer, o), Bytes.wrap(bytes));
    });
  }

  public Object deserialize(Serialization serialization) {
    return serialization.deserialize(bytes.unsafeArray(), serializerId, manifest).get();
  }

  int encodedSize() {
    return 4 + 2 + manifest.length() * 3 + 4 + bytes.length();
  }

  void writeTo(RecordWriter w) {
    w.i32(serializerId).str16(manifest).bytes32(bytes.unsafeArray());
  }

  static SerializedBlob readFrom(RecordReader r) {
    return new SerializedBlob(r.i32(), r.str16(), Bytes.wrap(r.bytes32()));
  }
}
