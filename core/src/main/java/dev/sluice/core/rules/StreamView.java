package dev.sluice.core.rules;

import dev.sluice.core.CborSerializable;
import dev.sluice.core.model.Segment;
import dev.sluice.core.rules.Commands.StreamInfo;
import java.util.List;

/**
 * A consistent snapshot of a stream's metadata for reading: what to put in headers and which
 * stored ranges make up {@code [0, tail)}. Only committed data is described.
 */
public record StreamView(StreamInfo info, long storeId, List<Segment> readPath) implements CborSerializable {

  /** The same view with the own (last) segment extended to a newer committed tail. */
  public StreamView withTail(long tail, boolean closed) {
    var last = readPath.get(readPath.size() - 1);
    var path = new java.util.ArrayList<>(readPath.subList(0, readPath.size() - 1));
    path.add(new Segment(last.storeId(), last.start(), tail));
    var i = info;
    return new StreamView(
        new StreamInfo(i.contentType(), dev.sluice.core.protocol.Offset.at(tail), closed, i.ttlSeconds(), i.expiresAtMillis()),
        storeId, List.copyOf(path));
  }

  public long tail() {
    return info.tail().position();
  }
}
