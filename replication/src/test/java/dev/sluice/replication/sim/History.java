package dev.sluice.replication.sim;

import dev.sluice.replication.Entry;
import dev.sluice.replication.Message.Reason;
import dev.sluice.replication.ProducerStamp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What clients saw, Jepsen style: each append is invoked and then completes ok (with an offset),
 * duplicate (with the original offset), fail (definitely not written) or info (unknown). Reads record
 * exactly what a replica returned. The checker judges only this, never the replicas' internals.
 */
public final class History {
  public enum Outcome { PENDING, OK, DUPLICATE, FAIL, INFO }

  public static final class AppendOp {
    final long requestId;
    final int client;
    final String value;
    final ProducerStamp producer;
    final long invokedAt;
    Outcome outcome = Outcome.PENDING;
    long offset = -1;
    Reason reason;
    long completedAt = -1;

    AppendOp(long requestId, int client, String value, ProducerStamp producer, long invokedAt) {
      this.requestId = requestId;
      this.client = client;
      this.value = value;
      this.producer = producer;
      this.invokedAt = invokedAt;
    }

    @Override
    public String toString() {
      return "append#" + requestId + "(c" + client + ", " + value + (producer == null ? "" : ", " + producer)
          + ") -> " + outcome + (offset >= 0 ? "@" + offset : "") + (reason != null ? " " + reason : "") + " [t=" + invokedAt + ".." + completedAt + "]";
    }
  }

  public record ReadOp(int client, int node, long fromSeq, List<Entry> entries, long at, boolean isFinal) {
    @Override
    public String toString() {
      return (isFinal ? "final-" : "") + "read(c" + client + "@n" + node + ", from " + fromSeq + ", " + entries.size() + " entries, t=" + at + ")";
    }
  }

  private final Map<Long, AppendOp> appends = new LinkedHashMap<>();
  private final List<ReadOp> reads = new ArrayList<>();

  void invoke(long requestId, int client, String value, ProducerStamp producer, long now) {
    appends.put(requestId, new AppendOp(requestId, client, value, producer, now));
  }

  /** Records the first completion only: a late reply after a client timeout does not rewrite history. */
  void complete(long requestId, Outcome outcome, long offset, Reason reason, long now) {
    AppendOp op = appends.get(requestId);
    if (op == null || op.outcome != Outcome.PENDING) return;
    op.outcome = outcome;
    op.offset = offset;
    op.reason = reason;
    op.completedAt = now;
  }

  AppendOp op(long requestId) {
    return appends.get(requestId);
  }

  void read(int client, int node, long fromSeq, List<Entry> entries, long now, boolean isFinal) {
    reads.add(new ReadOp(client, node, fromSeq, List.copyOf(entries), now, isFinal));
  }

  public List<AppendOp> appends() {
    return List.copyOf(appends.values());
  }

  public List<ReadOp> reads() {
    return List.copyOf(reads);
  }
}
