package dev.sluice.core.model;

import dev.sluice.core.CborSerializable;
import dev.sluice.core.protocol.Offset;

/**
 * How a fork was requested, kept to decide idempotent re-creation (checklist §3 "Idempotent fork"):
 * the source path, the fork offset as requested (null = source tail at fork time), the actual
 * fork offset, the sub-offset, and whether expiry was inherited from the source.
 */
public record ForkOrigin(
    String sourcePath,
    Offset requestedOffset,
    Offset forkOffset,
    long subOffset,
    boolean expiryInherited)
    implements CborSerializable {}
