package dev.sluice.replication.sim;

import dev.sluice.replication.Bugs;
import dev.sluice.replication.Message;
import dev.sluice.replication.Writer;
import java.util.EnumSet;
import java.util.Random;
import java.util.Set;

/**
 * One simulation run's knobs, all derived from the seed so that a seed alone replays a run. Each seed
 * draws its own fault mix: some runs are calm, some lossy, some crash-heavy, so a thousand seeds cover
 * the combinations without any one run being unrealistically hostile everywhere at once.
 */
public record SimConfig(
    long seed,
    Bugs bugs,
    Writer.Settings writer,
    int clients,
    long activeMillis,
    long settleMillis,
    double dropRate,
    double duplicateRate,
    long maxDelayMillis,
    long maxFsyncMillis,
    Set<Fault> faults,
    long meanFaultGapMillis,
    double splitBrainRate,
    double staleRouteRate,
    int readBatch,
    long readBytes,
    boolean trace) {

  /**
   * {@code LONG_PARTITION} isolates one node for a third to most of the active phase: the writer's
   * window moves on without it, so on repair it is caught up from a peer (small retention budgets in
   * some seeds make that happen early).
   */
  public enum Fault { CRASH, PAUSE, PARTITION, DISK_LOSS, OWNER_MOVE, LONG_PARTITION }

  public static SimConfig forSeed(long seed, Bugs bugs, boolean trace) {
    Random r = new Random(seed ^ 0x5DEECE66DL);
    double[] drops = {0, 0.01, 0.05, 0.15};
    double[] dups = {0, 0.02, 0.1};
    long[] delays = {2, 8, 25};
    Set<Fault> faults = EnumSet.noneOf(Fault.class);
    for (Fault f : Fault.values()) if (f != Fault.LONG_PARTITION && r.nextDouble() < 0.6) faults.add(f);
    // Drawn after the original knobs so that adding them kept each seed's fault mix.
    Random paging = new Random(seed * 31 + 7);
    Writer.Settings writer = Writer.Settings.defaults();
    boolean small = paging.nextDouble() < 0.4;
    if (small) {
      // Entries here weigh about 60 bytes: these budgets cut appends and pages after 1 to 4 entries and keep
      // almost no committed history, so lagging replicas are served from a peer.
      writer = writer.withSizes(1 + paging.nextInt(4), 60 + paging.nextInt(200), 2 + paging.nextInt(4), 120 + paging.nextInt(200),
          paging.nextInt(6), 60 + paging.nextInt(400));
    }
    if (paging.nextDouble() < 0.25) writer = writer.withProducerDedupe(false);
    if (paging.nextDouble() < 0.35) faults.add(Fault.LONG_PARTITION);
    int readBatch = small ? 1 + paging.nextInt(4) : 8;
    long readBytes = small ? 60 + paging.nextInt(200) : Message.MAX_BATCH_BYTES;
    return new SimConfig(
        seed, bugs, writer,
        1 + r.nextInt(3),
        800 + r.nextInt(800),
        small ? 3000 : 1500, // recovery of a long log in 2-to-5-entry pages over slow links takes a while
        drops[r.nextInt(drops.length)],
        dups[r.nextInt(dups.length)],
        delays[r.nextInt(delays.length)],
        1 + r.nextInt(5),
        faults,
        40 + r.nextInt(200),
        r.nextDouble() * 0.7,
        r.nextDouble() * 0.2,
        readBatch,
        readBytes,
        trace);
  }

  @Override
  public String toString() {
    return "seed=" + seed + " bugs=" + bugs.enabled() + " clients=" + clients + " active=" + activeMillis + "ms drop=" + dropRate
        + " dup=" + duplicateRate + " maxDelay=" + maxDelayMillis + "ms fsync<=" + maxFsyncMillis + "ms faults=" + faults
        + " faultGap~" + meanFaultGapMillis + "ms splitBrain=" + String.format("%.2f", splitBrainRate)
        + " staleRoute=" + String.format("%.2f", staleRouteRate) + " dedupe=" + writer.producerDedupe()
        + " append<=" + writer.maxAppendEntries() + "/" + writer.maxAppendBytes() + "B page<=" + writer.readPageEntries() + "/"
        + writer.readPageBytes() + "B retain=" + writer.retainEntries() + "/" + writer.retainBytes() + "B read<=" + readBatch + "/" + readBytes + "B";
  }
}
