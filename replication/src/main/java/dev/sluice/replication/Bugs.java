package dev.sluice.replication;

import java.util.EnumSet;
import java.util.Set;

/**
 * Deliberately wrong variants of the protocol. Production code always uses {@link #NONE}; the simulator's
 * tests switch one on at a time to prove the history checker notices (a checker that never fails
 * proves nothing).
 */
public record Bugs(Set<Bug> enabled) {
  public static final Bugs NONE = new Bugs(EnumSet.noneOf(Bug.class));

  public enum Bug {
    /** Writer completes an append once one replica acked it. */
    ACK_AT_ONE,
    /** Writer starts recovery after a single promise instead of a majority. */
    FENCE_AT_ONE,
    /** Replica accepts appends from an epoch below its promise (the fence is ignored). */
    ACCEPT_STALE_EPOCH,
    /** Replica serves follower reads above its lac. */
    READ_ABOVE_LAC,
    /** Writer treats the recovered tail as committed without re-appending it to a quorum. */
    SKIP_RECOVERY_REAPPEND,
    /** Writer re-appends the adopted suffix with its original epochs instead of its own. */
    NO_RESTAMP,
    /** A replica that lost its disk votes at once (answers fences with its empty log). */
    NO_LIMBO,
    /** A new owner starts with an empty producer table instead of rebuilding it from the log. */
    NO_DEDUPE_REBUILD,
    /** Recovery adopts the longest log, ignoring which epoch wrote it. */
    BEST_BY_SEQ_ONLY,
    /**
     * The recovery re-stamp goes out in budget-sized chunks instead of one message per replica. Replicas
     * refuse to adopt a partial re-stamp (Gap), so this shows up as a recovery that never completes.
     */
    CHUNKED_RESTAMP,
    /** A committed fill adopts the writer's epoch although it stops short of the writer's recovered tail. */
    FILL_ADOPTS,
    /** A committed fill drops our entries above the chunk even when the chunk agrees with them. */
    FILL_TRUNCATES
  }

  public Bugs {
    enabled = enabled.isEmpty() ? EnumSet.noneOf(Bug.class) : EnumSet.copyOf(enabled);
  }

  public static Bugs of(Bug bug) {
    return new Bugs(EnumSet.of(bug));
  }

  public boolean has(Bug bug) {
    return enabled.contains(bug);
  }
}
