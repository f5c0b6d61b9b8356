package dev.sluice.replication;

/**
 * v1 replica-set shape: every stream lives on the same 3 storage nodes (ordinals 0..2).
 *
 * <p>Why 2 and 2: with 3 replicas an ack quorum of 2 and a fence quorum of 2 intersect in at least one
 * replica, so a new owner's fence always reaches someone who holds every acknowledged entry, and once
 * a new epoch is promised by 2 replicas an older writer can collect at most 1 ack (BookKeeper's
 * (Qw - Qa) + 1 rule for Qw = 3, Qa = 2).
 */
public final class Quorum {
  public static final int REPLICAS = 3;
  public static final int ACK = 2;
  public static final int FENCE = 2;

  private Quorum() {}
}
