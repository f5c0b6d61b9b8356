package dev.sluice.cluster;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which members of a replicated cluster have no process any more, and may be downed at once instead
 * of after the failure detector and the Split Brain Resolver (together about 3 s). Pure state, one
 * instance per node, fed the outcome of a TCP connect to each member's remoting port (the server's
 * {@code CrashedPeerDowning} actor probes every few hundred milliseconds).
 *
 * <p>Why a refused connection is proof: the host answered, and nothing listens on the port the
 * member's actor system bound. A process that crashed or was killed ({@code kill -9}, the OOM
 * killer, a JVM abort) releases its port at once, so its peers learn of it within one probe. A
 * paused process (GC, {@code SIGSTOP}) still accepts connections in the kernel, and a partition or
 * a host that lost power makes connects time out: neither is a refusal, so those cases keep the
 * failure detector and the Split Brain Resolver. Downing is also never what keeps data safe: a member
 * downed by mistake is fenced by the journal's epochs like any other old owner.
 *
 * <p>The rule: a member is crashed after {@code refusalsNeeded} refusals in a row (one refusal could
 * be a port being re-bound by a restart); the crashed members are downed only if the members left
 * are a strict majority of the current members, the decision keep-majority would take. Two of three
 * gone, for example, leave the lone survivor to the Split Brain Resolver as before.
 */
public final class CrashedPeers {
  /** What one probe of a member's remoting port found. */
  public enum Probe {
    /** Connection refused: no process listens there. */
    REFUSED,
    /** The port accepted the connection: something runs. */
    ACCEPTED,
    /** Timed out or failed another way (partition, host down, overloaded): proves nothing. */
    INCONCLUSIVE
  }

  private final int refusalsNeeded;
  private final Map<String, Integer> refusals = new HashMap<>();

  public CrashedPeers(int refusalsNeeded) {
    if (refusalsNeeded < 1) throw new IllegalArgumentException("refusalsNeeded must be >= 1, was " + refusalsNeeded);
    this.refusalsNeeded = refusalsNeeded;
  }

  /** Records a probe of {@code member} (its remoting address as a string). */
  public void observe(String member, Probe probe) {
    if (probe == Probe.REFUSED) refusals.merge(member, 1, Integer::sum);
    else refusals.remove(member);
  }

  /**
   * The members to down now: those among {@code others} (the other members this node would probe)
   * refused {@code refusalsNeeded} times in a row, if the members left without them, this node
   * included, are a strict majority of {@code memberCount}. Empty otherwise. Forgets members that are
   * no longer in {@code others}.
   */
  public Set<String> toDown(List<String> others, int memberCount) {
    refusals.keySet().retainAll(others);
    Set<String> crashed = new LinkedHashSet<>();
    for (String m : others) {
      if (refusals.getOrDefault(m, 0) >= refusalsNeeded) crashed.add(m);
    }
    if (crashed.isEmpty() || 2 * (memberCount - crashed.size()) <= memberCount) return Set.of();
    return crashed;
  }

  /** Consecutive refusals seen for {@code member} (for the log). */
  public int refusals(String member) {
    return refusals.getOrDefault(member, 0);
  }
}
