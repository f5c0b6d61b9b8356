package dev.sluice.bench.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ProcStatusTest {

  private static final String STATUS = "Name:\tjava\nVmPeak:\t 4000000 kB\nVmHWM:\t  600000 kB\nVmRSS:\t  512000 kB\nThreads:\t42\n";

  @Test
  void readsKilobyteFieldsAsBytes() {
    assertEquals(512000L * 1024, ProcStatus.parseKb(STATUS, "VmRSS"));
    assertEquals(600000L * 1024, ProcStatus.parseKb(STATUS, "VmHWM"));
    assertEquals(42, ProcStatus.parseKb(STATUS, "Threads"));
    assertEquals(-1, ProcStatus.parseKb(STATUS, "VmSwap"));
    assertEquals(-1, ProcStatus.bytes(0, "VmRSS"));
  }

  @Test
  void durationsPrintTheWayTheyAreTyped() {
    assertEquals("3s", ResultBuilder.durationText(Duration.ofSeconds(3)));
    assertEquals("500ms", ResultBuilder.durationText(Duration.ofMillis(500)));
    assertEquals("1.5s", ResultBuilder.durationText(Duration.ofMillis(1500)));
  }

  @Test
  void resultNamesShowRatesWithoutATrailingZero() {
    assertEquals("1000", AppendScenario.fmtRate(1000.0));
    assertEquals("2.5", AppendScenario.fmtRate(2.5));
    assertEquals("10MiB", CatchupScenario.sizeName(10L << 20));
    assertEquals("1000B", CatchupScenario.sizeName(1000));
  }
}
