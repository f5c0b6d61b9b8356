package dev.sluice.cluster;

import java.util.Arrays;

/**
 * When a node of a replicated cluster joins, and whom: the rule that keeps a cluster from ever
 * splitting into two at start. Pure state machine, one instance per starting node, fed one round of
 * probe answers at a time (the server's {@code ClusterFormation} actor asks every configured node).
 *
 * <p>Why not Pekko's seed-node process: its first seed node forms a cluster of its own when no other
 * seed answers within {@code seed-node-timeout}. A first node restarted while the other two run a
 * loaded cluster got their answer late, formed a second cluster and never merged (found by the
 * failover bench). Here a node never forms a cluster while any configured node reports being a
 * member of one, and a new cluster forms only when a majority of the configured nodes are running
 * and none is a member: then the one with the lowest ordinal among them forms it, once a majority
 * (itself included) names it as their candidate and that held for {@link #STABLE_ROUNDS} rounds,
 * and the others join it. The candidate agreement keeps a node that missed a lower node's answers
 * from forming a second cluster next to the one that lower node forms.
 *
 * <pre>
 *   any answer MEMBER                               -> Join(lowest such ordinal)
 *   majority ALONE (self included), self lowest,
 *     majority names self, for STABLE_ROUNDS rounds -> Form
 *   otherwise                                       -> Wait(why)
 * </pre>
 */
public final class Formation {
  /** What one probe round learnt about a configured node. */
  public enum Seen {
    /** No answer this round (down, unreachable or still starting). */
    SILENT,
    /** Running, but not a member of any cluster yet. */
    ALONE,
    /** A member (Up) of a cluster. */
    MEMBER
  }

  /** What to do after a round. */
  public sealed interface Decision permits Join, Form, Wait {}

  /** Join the cluster of the node with this ordinal. */
  public record Join(int ordinal) implements Decision {}

  /** Form a new cluster (join self). */
  public record Form() implements Decision {}

  /** Not yet; {@code why} is for the log. */
  public record Wait(String why) implements Decision {}

  /** Rounds the "form" picture must hold before a node forms: absorbs a peer that answers late once. */
  public static final int STABLE_ROUNDS = 2;

  private final int self;
  private final int nodes;
  private int formRounds;
  private int candidate = -1;

  public Formation(int self, int nodes) {
    if (nodes < 1 || self < 0 || self >= nodes) throw new IllegalArgumentException("node " + self + " of " + nodes);
    this.self = self;
    this.nodes = nodes;
  }

  /**
   * The node this one would let form a new cluster, from the last round (-1: none, as a majority
   * was not seen running, or a cluster exists). Sent with every probe answer.
   */
  public int candidate() {
    return candidate;
  }

  /**
   * One round: {@code seen[i]} is what node i answered and {@code candidates[i]} the candidate it
   * named (-1 if none or silent); the entries of this node itself are ignored.
   */
  public Decision next(Seen[] seen, int[] candidates) {
    if (seen.length != nodes || candidates.length != nodes) {
      throw new IllegalArgumentException("expected " + nodes + " answers, got " + Arrays.toString(seen));
    }
    int before = formRounds;
    Decision d = decide(seen, candidates);
    // The rounds count only while they follow each other: any other outcome starts again.
    if (formRounds == before) formRounds = 0;
    return d;
  }

  private Decision decide(Seen[] seen, int[] candidates) {
    candidate = -1;
    for (int i = 0; i < nodes; i++) {
      if (i != self && seen[i] == Seen.MEMBER) {
        return new Join(i);
      }
    }
    int running = 1;
    int lowest = self;
    for (int i = 0; i < nodes; i++) {
      if (i != self && seen[i] == Seen.ALONE) {
        running++;
        lowest = Math.min(lowest, i);
      }
    }
    if (running * 2 <= nodes) {
      return new Wait(running + " of " + nodes + " configured nodes answer and none is a member of a cluster:"
          + " a new cluster needs a majority");
    }
    candidate = lowest;
    if (lowest != self) return new Wait("node " + lowest + " forms the new cluster");
    int named = 1;
    for (int i = 0; i < nodes; i++) if (i != self && seen[i] == Seen.ALONE && candidates[i] == self) named++;
    if (named * 2 <= nodes) {
      return new Wait("forming a new cluster once a majority names this node as its candidate");
    }
    if (++formRounds < STABLE_ROUNDS) return new Wait("forming a new cluster if the next round agrees");
    formRounds = 0;
    return new Form();
  }
}
