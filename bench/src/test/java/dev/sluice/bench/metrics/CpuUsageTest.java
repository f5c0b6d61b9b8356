package dev.sluice.bench.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class CpuUsageTest {

  @Test
  void busyTicksExcludeIdleAndIowait() {
    // user nice system idle iowait irq softirq steal guest guest_nice
    assertEquals(530658 + 143740 + 14994 + 7, CpuUsage.parseBusy("cpu  530658 0 143740 481641 10685 0 14994 7 0 0"));
  }

  @Test
  void processTicksAreUtimePlusStimeEvenWithSpacesInTheCommand() {
    String stat = "4242 (java main) S 1 4242 4242 0 -1 4194560 1000 0 0 0 1234 567 0 0 20 0 40 0 100 0 0";
    assertEquals(1234 + 567, CpuUsage.parseProcessTicks(stat));
  }

  @Test
  void attributesBusyTimeToServerBenchAndOther() {
    CpuUsage.Sample a = new CpuUsage.Sample(0, 1000, 100, 10);
    CpuUsage.Sample b = new CpuUsage.Sample(2_000_000_000L, 1000 + 360, 100 + 250, 10 + 60); // 2 s
    CpuUsage u = CpuUsage.between(a, b, true);
    assertEquals(1.8, u.busy(), 1e-9);
    assertEquals(1.25, u.server(), 1e-9);
    assertEquals(0.3, u.bench(), 1e-9);
    assertEquals(0.25, u.other(), 1e-9);
    assertEquals(1.5, CpuUsage.between(a, b, false).other(), 1e-9);
  }
}
