package dev.sluice.replication.sim;

import dev.sluice.replication.Bugs;
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
    boolean trace) {

  public enum Fault { CRASH, PAUSE, PARTITION, DISK_LOSS, OWNER_MOVE }

  public static SimConfig forSeed(long seed, Bugs bugs, boolean trace) {
    Random r = new Random(seed ^ 0x5DEECE66DL);
    double[] drops = {0, 0.01, 0.05, 0.15};
    double[] dups = {0, 0.02, 0.1};
    long[] delays = {2, 8, 25};
    Set<Fault> faults = EnumSet.noneOf(Fault.class);
    for (Fault f : Fault.values()) if (r.nextDouble() < 0.6) faults.add(f);
    return new SimConfig(
        seed, bugs, Writer.Settings.defaults(),
        1 + r.nextInt(3),
        800 + r.nextInt(800),
        1500,
        drops[r.nextInt(drops.length)],
        dups[r.nextInt(dups.length)],
        delays[r.nextInt(delays.length)],
        1 + r.nextInt(5),
        faults,
        40 + r.nextInt(200),
        r.nextDouble() * 0.7,
        r.nextDouble() * 0.2,
        trace);
  }

  @Override
  public String toString() {
    return "seed=" + seed + " bugs=" + bugs.enabled() + " clients=" + clients + " active=" + activeMillis + "ms drop=" + dropRate
        + " dup=" + duplicateRate + " maxDelay=" + maxDelayMillis + "ms fsync<=" + maxFsyncMillis + "ms faults=" + faults
        + " faultGap~" + meanFaultGapMillis + "ms splitBrain=" + String.format("%.2f", splitBrainRate)
        + " staleRoute=" + String.format("%.2f", staleRouteRate);
  }
}
