package dev.sluice.core;

/**
 * Marker for every message and event that crosses a serialization boundary (journal, remoting).
 * It is bound to Pekko's {@code jackson-cbor} serializer in {@code sluice/cluster.conf}.
 */
public interface CborSerializable {}
