package dev.sluice.core.model;

import dev.sluice.core.CborSerializable;

/** Per-(stream, producer id) state (PROTOCOL.md §5.2.1): current epoch and highest accepted seq. */
public record ProducerState(long epoch, long lastSeq, long lastUpdatedMillis) implements CborSerializable {}
