package dev.sluice.replication;

import java.util.List;

/**
 * What one replica durably keeps for one stream. Immutable; every change goes through
 * {@link Replica#handle}, which returns the next state and a {@link Effect.Persist} of it.
 *
 * <ul>
 *   <li>{@code promised} - the highest epoch promised (by a fence or by accepting its append).
 *   <li>{@code log} - entries 1..tailSeq, each stamped with the epoch that last wrote it.
 *   <li>{@code tailEpoch} - the epoch of the last append accepted. Invariant: the log is a prefix of
 *       that writer's log and contains its whole recovered log, which is why recovery may pick the log
 *       with the highest (tailEpoch, tailSeq) (Viewstamped Replication's view-change rule).
 *   <li>{@code lac} - highest seq known committed; never above tailSeq, never decreases.
 *   <li>{@code limbo} - the disk was lost ({@code diskUuid} is new): the replica answers
 *       {@link Message.Unknown} to fences and reads and its acks do not vote until it has caught up to
 *       {@code limboTarget}, the highest tail its peers reported ({@code limboHeard} is a bit set of
 *       the peers that answered).
 * </ul>
 */
public record ReplicaState(
    String stream,
    int replica,
    String diskUuid,
    long promised,
    List<Entry> log,
    long tailEpoch,
    long lac,
    boolean limbo,
    int limboHeard,
    long limboTarget) {

  public ReplicaState {
    log = List.copyOf(log);
    if (lac > log.size()) throw new IllegalArgumentException("lac " + lac + " above tail " + log.size());
  }

  /** A replica seeing this stream for the first time on a disk it has always had. */
  public static ReplicaState empty(String stream, int replica, String diskUuid) {
    return new ReplicaState(stream, replica, diskUuid, Epoch.NONE, List.of(), Epoch.NONE, 0, false, 0, 0);
  }

  /**
   * A replica that booted on a new or wiped disk: it may have promised or acked things it no longer
   * remembers, so it starts in limbo.
   */
  public static ReplicaState lostDisk(String stream, int replica, String newDiskUuid, Bugs bugs) {
    boolean limbo = !bugs.has(Bugs.Bug.NO_LIMBO);
    return new ReplicaState(stream, replica, newDiskUuid, Epoch.NONE, List.of(), Epoch.NONE, 0, limbo, 0, 0);
  }

  public long tailSeq() {
    return log.size();
  }

  /** Epoch of the entry at {@code seq}, or NONE for seq 0. */
  public long epochAt(long seq) {
    return seq == 0 ? Epoch.NONE : log.get((int) (seq - 1)).epoch();
  }

  ReplicaState withPromised(long p) {
    return new ReplicaState(stream, replica, diskUuid, p, log, tailEpoch, lac, limbo, limboHeard, limboTarget);
  }

  ReplicaState withLog(long p, List<Entry> newLog, long newTailEpoch, long newLac) {
    return new ReplicaState(stream, replica, diskUuid, p, newLog, newTailEpoch, newLac, limbo, limboHeard, limboTarget);
  }

  ReplicaState withLac(long newLac) {
    return new ReplicaState(stream, replica, diskUuid, promised, log, tailEpoch, newLac, limbo, limboHeard, limboTarget);
  }

  ReplicaState withLimbo(boolean l, int heard, long target, long p) {
    return new ReplicaState(stream, replica, diskUuid, p, log, tailEpoch, lac, l, heard, target);
  }

  @Override
  public String toString() {
    return "R" + replica + "{promised=" + Epoch.show(promised) + ", tail=" + tailSeq() + "@" + Epoch.show(tailEpoch)
        + ", lac=" + lac + (limbo ? ", LIMBO heard=" + limboHeard + " target=" + limboTarget : "") + "}";
  }
}
