package dev.sluice.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchOptionsTest {

  @Test
  void parsesTheIssueExample() {
    BenchOptions o = BenchOptions.parse("--scenario", "append", "--streams", "100", "--connections", "256",
        "--duration", "10s", "--warmup", "3s", "--rate", "1000");
    assertEquals(BenchOptions.Command.RUN, o.command());
    assertEquals(BenchOptions.Scenario.APPEND, o.scenario());
    assertEquals(100, o.streamsOr(1));
    assertEquals(256, o.connectionsOr(1));
    assertEquals(Duration.ofSeconds(10), o.durationOrDefault());
    assertEquals(Duration.ofSeconds(3), o.warmup());
    assertEquals(1000.0, o.rateOr(0));
  }

  @Test
  void leavesScenarioDependentDefaultsOpen() {
    BenchOptions o = BenchOptions.parse("--scenario=streams", "--url=http://h:1/");
    assertNull(o.connections());
    assertEquals(64, o.connectionsOr(64));
    assertEquals(0.0, o.rateOr(0));
    assertEquals(Duration.ofSeconds(120), o.durationOrDefault());
    assertEquals("http://h:1", o.url());
    assertEquals(256, o.size());
    assertEquals(10L << 20, o.streamBytes());
    assertEquals(100_000, o.count());
  }

  @Test
  void parsesDurationsAndSizes() {
    assertEquals(Duration.ofMillis(500), BenchOptions.duration("x", "500ms"));
    assertEquals(Duration.ofMillis(1500), BenchOptions.duration("x", "1.5s"));
    assertEquals(Duration.ofMinutes(2), BenchOptions.duration("x", "2m"));
    assertEquals(Duration.ofSeconds(7), BenchOptions.duration("x", "7"));
    assertEquals(256, BenchOptions.size("x", "256"));
    assertEquals(64 * 1024, BenchOptions.size("x", "64KiB"));
    assertEquals(10L << 20, BenchOptions.size("x", "10MB"));
    assertEquals(1L << 30, BenchOptions.size("x", "1g"));
  }

  @Test
  void errorsNameTheOption() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> BenchOptions.parse("--duration", "soon")).getMessage().contains("--duration"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> BenchOptions.parse("--streams", "0")).getMessage().contains("--streams"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> BenchOptions.parse("--stream-bytes", "-1")).getMessage().contains("--stream-bytes"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> BenchOptions.parse("--scenario", "nope")).getMessage().contains("--scenario"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> BenchOptions.parse("--bogus", "1")).getMessage().contains("--bogus"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> BenchOptions.parse("--rate")).getMessage().contains("--rate"));
    assertThrows(IllegalArgumentException.class, () -> BenchOptions.parse("--url", "https://x"));
    assertThrows(IllegalArgumentException.class, () -> BenchOptions.parse("stray"));
  }

  @Test
  void takesSeveralTargetsCommaSeparatedOrRepeated() {
    BenchOptions o = BenchOptions.parse("--target", "http://127.0.0.1:4441,http://127.0.0.1:4442/", "--url", "http://127.0.0.1:4443");
    assertEquals(List.of("http://127.0.0.1:4441", "http://127.0.0.1:4442", "http://127.0.0.1:4443"), o.urls());
    assertEquals("http://127.0.0.1:4441,http://127.0.0.1:4442,http://127.0.0.1:4443", o.url());
    assertEquals(List.of("http://127.0.0.1:4437"), BenchOptions.parse().urls());
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> BenchOptions.parse("--url", "http://a:1,http://a:1")).getMessage().contains("twice"));
  }

  @Test
  void windowIsOffByDefaultAndTakesWholeSeconds() {
    assertEquals(Duration.ZERO, BenchOptions.parse().window());
    assertEquals(Duration.ofSeconds(10), BenchOptions.parse("--window", "10s").window());
    assertTrue(assertThrows(IllegalArgumentException.class, () -> BenchOptions.parse("--window", "500ms")).getMessage().contains("--window"));
    assertThrows(IllegalArgumentException.class, () -> BenchOptions.parse("--window", "1.5s"));
  }

  @Test
  void takesSeveralServerPids() {
    BenchOptions o = BenchOptions.parse("--pid", "11,12,13");
    assertEquals(List.of(11L, 12L, 13L), o.pids());
    assertEquals(11, o.pid());
    assertEquals(0, BenchOptions.parse().pid());
    assertThrows(IllegalArgumentException.class, () -> BenchOptions.parse("--pid", "1,x"));
  }

  @Test
  void parsesCompareMetricsAndFailoverOptions() {
    BenchOptions c = BenchOptions.parse("compare", "--metrics", "throughput, p99,max", "dir");
    assertEquals(List.of("throughput", "p99", "max"), c.metrics());
    BenchOptions f = BenchOptions.parse("failover", "--target", "http://127.0.0.1:1,http://127.0.0.1:2,http://127.0.0.1:3",
        "--cluster-dir", "/tmp/c", "--kills", "2", "--settle", "1s");
    assertEquals(BenchOptions.Command.FAILOVER, f.command());
    assertEquals(2, f.kills());
    assertEquals(Path.of("/tmp/c"), f.clusterDir());
    assertEquals(Duration.ofSeconds(1), f.settle());
    assertEquals(Duration.ofSeconds(1), f.attemptTimeout());
    assertEquals(20, BenchOptions.parse("failover").kills());
  }

  @Test
  void recognisesCommandsAndHelp() {
    assertEquals(BenchOptions.Command.HELP, BenchOptions.parse("--help").command());
    assertEquals(BenchOptions.Command.HELP, BenchOptions.parse("--scenario", "fanout", "-h").command());
    BenchOptions c = BenchOptions.parse("compare", "--baseline", "node", "a.json", "dir");
    assertEquals(BenchOptions.Command.COMPARE, c.command());
    assertEquals("node", c.baseline());
    assertEquals(List.of(Path.of("a.json"), Path.of("dir")), c.inputs());
    BenchOptions n = BenchOptions.parse("noop-server", "--port", "0");
    assertEquals(BenchOptions.Command.NOOP_SERVER, n.command());
    assertEquals(0, n.port());
    assertTrue(BenchOptions.USAGE.contains("--scenario"));
  }
}
