package dev.sluice.cluster;

/**
 * Whether this node and another configured node run two different clusters, and which of the two
 * gives way. Pure state machine, one instance per node, fed one round of probe answers at a time
 * (the server's {@code ClusterFormation} actor keeps asking every configured node after its own node
 * is Up; each answer carries the members the answering node sees, as a bit set of ordinals).
 *
 * <p>Why: {@link Formation} keeps a second cluster from forming in every case but one unlikely
 * pattern of lost answers on two links at once (docs/replication-wiring.md "Open"), and an operator
 * can still form one by hand. Two clusters never corrupt data (each stream's journal fences an
 * owner of the other cluster), but their owners fence each other for good: writes keep failing
 * until one side dissolves. Nothing else notices.
 *
 * <p>The rule: node i is in another cluster when neither view contains the other node and the two
 * member sets are disjoint (a node that restarted, or one that was just removed, is still in some
 * view for a while: not a split). The smaller cluster leaves; of two of the same size, the one
 * without the lowest ordinal. The verdict must hold for {@link #STABLE_ROUNDS} rounds in a row.
 */
public final class SplitCheck {
  /** The outcome of a round. */
  public sealed interface Verdict permits Fine, Split {}

  /** No other cluster seen (this round, or not yet for long enough). */
  public record Fine() implements Verdict {}

  /**
   * Node {@code other} runs another cluster: {@code mine} and {@code theirs} are the two member sets
   * (bit i = ordinal i); {@code leave} says this node's cluster is the one that should dissolve.
   */
  public record Split(int other, long mine, long theirs, boolean leave) implements Verdict {}

  /** Rounds in a row a split must be seen before it is reported. */
  public static final int STABLE_ROUNDS = 2;

  private static final Fine FINE = new Fine();

  private final int self;
  private final int nodes;
  private int splitRounds;

  public SplitCheck(int self, int nodes) {
    if (nodes < 1 || nodes > 63 || self < 0 || self >= nodes) throw new IllegalArgumentException("node " + self + " of " + nodes);
    this.self = self;
    this.nodes = nodes;
  }

  /** The bit of ordinal {@code i} in a member set. */
  public static long bit(int i) {
    return 1L << i;
  }

  /**
   * One round: {@code mine} is the member set this node sees, {@code theirs[i]} the one node i
   * reported (0 if it did not answer, is not a member of any cluster, or runs a version that does
   * not report it); the entry of this node itself is ignored.
   */
  public Verdict next(long mine, long[] theirs) {
    if (theirs.length != nodes) throw new IllegalArgumentException("expected " + nodes + " answers, got " + theirs.length);
    if ((mine & bit(self)) != 0) {
      for (int i = 0; i < nodes; i++) {
        long t = theirs[i];
        if (i == self || (t & bit(i)) == 0 || (mine & t) != 0) continue;
        if (++splitRounds < STABLE_ROUNDS) return FINE;
        return new Split(i, mine, t, leaves(mine, t));
      }
    }
    splitRounds = 0;
    return FINE;
  }

  private static boolean leaves(long mine, long theirs) {
    int m = Long.bitCount(mine);
    int t = Long.bitCount(theirs);
    return m != t ? m < t : Long.numberOfTrailingZeros(mine) > Long.numberOfTrailingZeros(theirs);
  }
}
