package dev.sluice.replication;

/**
 * The small per-stream meta one replica keeps durably beside its log (the log itself lives in the
 * driver's store, seen through {@link ReplicaLog}). Immutable; every change goes through
 * {@link Replica#handle}, which returns the next meta and an {@link Effect.Persist} of it together with
 * the {@link LogChange} to write in the same synced batch.
 *
 * <ul>
 *   <li>{@code promised} - the highest epoch promised (by a fence or by accepting its append).
 *   <li>{@code tailSeq} - the highest seq in the log (the log holds 1..tailSeq, each entry stamped with
 *       the epoch that last wrote it).
 *   <li>{@code tailEpoch} - the epoch whose log this replica adopted last (see {@link Replica}). Invariant:
 *       the log is a prefix of that writer's log and contains its whole recovered log, or, for a replica
 *       filled with committed entries only, {@code lac == tailSeq}; that is why recovery may pick the log
 *       with the highest (tailEpoch, tailSeq) (Viewstamped Replication's view-change rule).
 *   <li>{@code lac} - highest seq known committed; never above tailSeq, never decreases.
 *   <li>{@code limbo} - the disk was lost ({@code diskUuid} is new): the replica answers
 *       {@link Message.Unknown} to fences and reads and its acks do not vote until it has caught up to
 *       {@code limboTarget}, the highest tail its peers reported, and adopted a writer at least as new
 *       as {@code limboTargetEpoch}, the newest tailEpoch they reported ({@code limboHeard} is a bit set
 *       of the peers that answered).
 * </ul>
 */
public record ReplicaState(
    String stream,
    int replica,
    String diskUuid,
    long promised,
    long tailSeq,
    long tailEpoch,
    long lac,
    boolean limbo,
    int limboHeard,
    long limboTarget,
    long limboTargetEpoch) {

  public ReplicaState {
    if (tailSeq < 0 || lac < 0) throw new IllegalArgumentException("negative tail " + tailSeq + " or lac " + lac);
    if (lac > tailSeq) throw new IllegalArgumentException("lac " + lac + " above tail " + tailSeq);
  }

  /** A replica seeing this stream for the first time on a disk it has always had. */
  public static ReplicaState empty(String stream, int replica, String diskUuid) {
    return new ReplicaState(stream, replica, diskUuid, Epoch.NONE, 0, Epoch.NONE, 0, false, 0, 0, Epoch.NONE);
  }

  /**
   * A replica that booted on a new or wiped disk: it may have promised or acked things it no longer
   * remembers, so it starts in limbo.
   */
  public static ReplicaState lostDisk(String stream, int replica, String newDiskUuid, Bugs bugs) {
    boolean limbo = !bugs.has(Bugs.Bug.NO_LIMBO);
    return new ReplicaState(stream, replica, newDiskUuid, Epoch.NONE, 0, Epoch.NONE, 0, limbo, 0, 0, Epoch.NONE);
  }

  ReplicaState withPromised(long p) {
    return new ReplicaState(stream, replica, diskUuid, p, tailSeq, tailEpoch, lac, limbo, limboHeard, limboTarget, limboTargetEpoch);
  }

  ReplicaState withLog(long p, long newTail, long newTailEpoch, long newLac) {
    return new ReplicaState(stream, replica, diskUuid, p, newTail, newTailEpoch, newLac, limbo, limboHeard, limboTarget, limboTargetEpoch);
  }

  ReplicaState withLac(long newLac) {
    return new ReplicaState(stream, replica, diskUuid, promised, tailSeq, tailEpoch, newLac, limbo, limboHeard, limboTarget, limboTargetEpoch);
  }

  ReplicaState withLimbo(boolean l, int heard, long target, long targetEpoch, long p) {
    return new ReplicaState(stream, replica, diskUuid, p, tailSeq, tailEpoch, lac, l, heard, target, targetEpoch);
  }

  @Override
  public String toString() {
    return "R" + replica + "{promised=" + Epoch.show(promised) + ", tail=" + tailSeq + "@" + Epoch.show(tailEpoch)
        + ", lac=" + lac + (limbo ? ", LIMBO heard=" + limboHeard + " target=" + limboTarget + "@" + Epoch.show(limboTargetEpoch) : "") + "}";
  }
}
