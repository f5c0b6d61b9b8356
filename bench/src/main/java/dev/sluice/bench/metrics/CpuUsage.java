package dev.sluice.bench.metrics;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the machine's CPU went during the measured phase, in cores (1.0 = one core busy the whole
 * time), from {@code /proc} (Linux; zeros elsewhere): the server under test, this load generator,
 * and everything else. "Everything else" is the check that the numbers are trustworthy: on a shared
 * machine another process can take a core and skew a run without leaving any other trace.
 *
 * @param other busy CPU not used by the server or the load generator (includes kernel work such as
 *              interrupts that /proc does not charge to a process)
 */
public record CpuUsage(double server, double bench, double other, double busy) {

  /** Above this, a run is flagged: more than a quarter of a core went to something else. */
  public static final double OTHER_WARN_CORES = 0.25;

  private static final double TICKS_PER_SECOND = 100; // USER_HZ on Linux

  /** Jiffy counters at one moment. */
  public record Sample(long nanos, long busyTicks, long serverTicks, long selfTicks) {}

  /** The counters now; the server's ticks are the sum over {@code serverPids} (the nodes of a cluster). */
  public static Sample sample(java.util.List<Long> serverPids) {
    long server = 0;
    for (long pid : serverPids) {
      if (pid > 0) server += processTicks(Long.toString(pid));
    }
    return new Sample(System.nanoTime(), systemBusyTicks(), server, processTicks("self"));
  }

  public static CpuUsage between(Sample a, Sample b, boolean haveServer) {
    double secs = Math.max(1e-9, (b.nanos() - a.nanos()) / 1e9);
    double busy = (b.busyTicks() - a.busyTicks()) / TICKS_PER_SECOND / secs;
    double server = haveServer ? (b.serverTicks() - a.serverTicks()) / TICKS_PER_SECOND / secs : 0;
    double bench = (b.selfTicks() - a.selfTicks()) / TICKS_PER_SECOND / secs;
    return new CpuUsage(server, bench, Math.max(0, busy - server - bench), busy);
  }

  /** Busy ticks from the first line of /proc/stat: everything but idle and iowait. */
  static long parseBusy(String procStatFirstLine) {
    String[] f = procStatFirstLine.trim().split("\\s+");
    long total = 0;
    for (int i = 1; i < f.length && i <= 8; i++) total += Long.parseLong(f[i]); // user..steal
    long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
    return total - idle;
  }

  /** utime + stime of a /proc/<pid>/stat line (fields 14 and 15; the command may contain spaces). */
  static long parseProcessTicks(String stat) {
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
    return Long.parseLong(f[11]) + Long.parseLong(f[12]);
  }

  private static long systemBusyTicks() {
    try {
      String first = Files.readString(Path.of("/proc/stat")).lines().findFirst().orElse("");
      return first.startsWith("cpu ") ? parseBusy(first) : 0;
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  private static long processTicks(String pid) {
    if (pid == null) return 0;
    try {
      return parseProcessTicks(Files.readString(Path.of("/proc", pid, "stat")));
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }
}
