package dev.sluice.replication.sim;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.sluice.replication.Bugs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Runs the simulator over many seeds with the correct protocol; any checker violation fails with the
 * seed and a replay command. Knobs (system properties, forwarded by Surefire):
 * <ul>
 *   <li>{@code sluice.sim.seed=N} - replay one seed with a full event trace written to
 *       {@code replication/target/sim-trace-N.txt}.
 *   <li>{@code sluice.sim.seeds=N} - soak: run N seeds instead of the default 1,000.
 *   <li>{@code sluice.sim.firstSeed=N} - where the seed range starts (default 1).
 * </ul>
 */
class SimulationTest {
  static final int DEFAULT_SEEDS = 1_000;

  @Test
  void everySeedKeepsAcknowledgedAppendsExactlyOnceAndInOrder() {
    String replay = System.getProperty("sluice.sim.seed");
    if (replay != null && !replay.isBlank()) {
      Simulator.Result r = Simulator.run(SimConfig.forSeed(Long.parseLong(replay.trim()), Bugs.NONE, true));
      Path trace = writeTrace(r);
      if (!r.ok()) fail(report(r) + "\ntrace: " + trace);
      return;
    }
    int seeds = Integer.getInteger("sluice.sim.seeds", DEFAULT_SEEDS);
    long first = Long.getLong("sluice.sim.firstSeed", 1L);
    long acked = 0;
    long started = System.nanoTime();
    Simulator.Paths paths = new Simulator.Paths(0, 0, 0, 0, 0);
    int fetchSeeds = 0;
    for (long seed = first; seed < first + seeds; seed++) {
      Simulator.Result r = Simulator.run(SimConfig.forSeed(seed, Bugs.NONE, false));
      if (!r.ok()) fail(report(r));
      acked += r.history().appends().stream().filter(op -> op.outcome == History.Outcome.OK).count();
      paths = paths.plus(r.paths());
      if (r.paths().forwardedEntries() > 0) fetchSeeds++;
    }
    System.out.printf("simulation: %d seeds in %d ms, %d acknowledged appends, %s, %d seeds caught a replica up through a peer%n",
        seeds, (System.nanoTime() - started) / 1_000_000, acked, paths, fetchSeeds);
    // Guards the guard: a simulator in which nothing ever gets acknowledged would pass every check, and one
    // in which no replica ever lags past the window proves nothing about catch-up from a peer.
    assertTrue(acked > seeds * 20L, "only " + acked + " acknowledged appends over " + seeds + " seeds");
    if (seeds >= 100) {
      assertTrue(fetchSeeds >= seeds / 50, "only " + fetchSeeds + " seeds forwarded entries fetched from a peer");
      assertTrue(paths.recoveryPages() > 2L * seeds, "recovery reads are not paging: " + paths);
      assertTrue(paths.trimmedEntries() > 0 && paths.materialized() > acked, "window trims or materialization never ran: " + paths);
    }
  }

  static String report(Simulator.Result r) {
    StringBuilder sb = new StringBuilder();
    sb.append("simulation seed ").append(r.config().seed()).append(" violated safety (").append(r.config()).append("):\n");
    for (String v : r.violations()) sb.append("  - ").append(v).append('\n');
    sb.append("replay: ./mvnw -pl replication -am test -Dtest=SimulationTest -Dsurefire.failIfNoSpecifiedTests=false -Dsluice.sim.seed=")
        .append(r.config().seed());
    return sb.toString();
  }

  static Path writeTrace(Simulator.Result r) {
    Path p = Path.of("target", "sim-trace-" + r.config().seed() + ".txt");
    try {
      Files.createDirectories(p.getParent());
      StringBuilder sb = new StringBuilder(r.config() + "\n");
      for (String v : r.violations()) sb.append("VIOLATION ").append(v).append('\n');
      for (String line : r.trace()) sb.append(line).append('\n');
      for (History.AppendOp op : r.history().appends()) sb.append(op).append('\n');
      for (History.ReadOp op : r.history().reads()) sb.append(op).append(' ').append(op.entries()).append('\n');
      Files.writeString(p, sb);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return p.toAbsolutePath();
  }
}
