package dev.sluice.server;

import java.lang.management.ManagementFactory;
import java.util.OptionalLong;

/**
 * How many HTTP connections a node serves at once: {@code sluice.http.connections.max}, but never
 * more than the process's file-descriptor limit minus {@code fd-reserve}, so connections alone can
 * never take the descriptors that RocksDB, the JVM and cluster sockets need.
 *
 * <p>Failure story: with {@code max-connections} equal to the fd limit, 20,000 idle connections
 * used every descriptor; the accept loop then failed with "Too many open files" about 2 million
 * times in 50 s (3.2 GB of log) and storage could not open files. Below the limit Pekko stops
 * accepting instead: new connections wait in the listen backlog.
 *
 * <p>Stateless, thread-safe.
 */
record ConnectionLimit(int connections, long fdLimit, int fdReserve, boolean lowFdLimit) {
  /** Below this many connections after the reserve the node takes half the limit and warns. */
  static final int MIN_CONNECTIONS = 64;

  static ConnectionLimit derive(int max, int fdReserve, OptionalLong fdLimit) {
    if (fdLimit.isEmpty()) return new ConnectionLimit(max, -1, fdReserve, false);
    long limit = fdLimit.getAsLong();
    long afterReserve = limit - fdReserve;
    boolean low = afterReserve < MIN_CONNECTIONS;
    long bound = low ? limit / 2 : afterReserve;
    return new ConnectionLimit((int) Math.max(1, Math.min(max, bound)), limit, fdReserve, low);
  }

  /** The soft {@code RLIMIT_NOFILE} of this process, where the JVM can tell (Unix). */
  static OptionalLong processFdLimit() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
      long max = unix.getMaxFileDescriptorCount();
      if (max > 0) return OptionalLong.of(max);
    }
    return OptionalLong.empty();
  }

  String describe() {
    if (fdLimit < 0) return "at most " + connections + " HTTP connections (file-descriptor limit unknown)";
    return "at most " + connections + " HTTP connections (file-descriptor limit " + fdLimit + ", "
        + (lowFdLimit ? "too low for the reserve of " + fdReserve + ": half of it kept for storage" : fdReserve + " kept for storage and the JVM")
        + "; sluice.http.connections.max / .fd-reserve)";
  }
}
