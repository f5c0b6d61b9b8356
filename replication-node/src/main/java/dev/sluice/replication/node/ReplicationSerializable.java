package dev.sluice.replication.node;

/**
 * Marker of this module's messages that may cross Artery ({@link Wire.Batch}, {@link Wire.Chunk},
 * {@link Wire.Delivered}); bound to {@link WireSerializer} in this module's {@code reference.conf}.
 * Its own marker, not {@code core}'s {@code CborSerializable}: the replication modules do not depend
 * on {@code core}.
 */
public interface ReplicationSerializable {}
