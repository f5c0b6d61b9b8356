package dev.sluice.replication;

/**
 * A writer's ballot: {@code (counter << 16) | nodeOrdinal}. Two nodes can never pick the same epoch,
 * and one node never reuses an epoch because a fence needs a strictly higher value than every promise
 * in a majority (so a restarted node that forgot its last epoch is rejected by the majority that
 * promised it). Epoch 0 means "none".
 */
public final class Epoch {
  public static final long NONE = 0L;
  private static final int NODE_BITS = 16;
  private static final long NODE_MASK = (1L << NODE_BITS) - 1;

  private Epoch() {}

  public static long of(long counter, int node) {
    if (counter < 0 || node < 0 || node > NODE_MASK) throw new IllegalArgumentException("bad epoch parts " + counter + "/" + node);
    return (counter << NODE_BITS) | node;
  }

  public static long counter(long epoch) {
    return epoch >>> NODE_BITS;
  }

  public static int node(long epoch) {
    return (int) (epoch & NODE_MASK);
  }

  /** The smallest epoch owned by {@code node} that is strictly above {@code highestSeen}. */
  public static long next(long highestSeen, int node) {
    return of(counter(highestSeen) + 1, node);
  }

  public static String show(long epoch) {
    return epoch == NONE ? "e0" : "e" + counter(epoch) + "." + node(epoch);
  }
}
