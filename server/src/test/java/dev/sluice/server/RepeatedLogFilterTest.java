package dev.sluice.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.spi.FilterReply;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Repeated log lines are rate-limited (issue: 3.2 GB of identical accept errors in 50 s). */
class RepeatedLogFilterTest {
  private final LoggerContext context = new LoggerContext();
  private final Logger tcp = context.getLogger("org.apache.pekko.io.TcpListener");
  private final AtomicLong now = new AtomicLong(1_000_000);
  private final RepeatedLogFilter filter = new RepeatedLogFilter();

  RepeatedLogFilterTest() {
    filter.setBurst(3);
    filter.setPeriodMillis(1000);
    filter.setClock(now::get);
  }

  private FilterReply log(Logger logger, String message) {
    return filter.decide(null, logger, Level.ERROR, message, null, null);
  }

  @Test
  void aMessageRepeatedAMillionTimesIsWrittenOnlyBurstTimesPerPeriod() {
    int written = 0;
    for (int i = 0; i < 1_000_000; i++) {
      if (log(tcp, "Accept error: could not accept new connection") != FilterReply.DENY) written++;
    }
    assertEquals(3, written);
    now.addAndGet(1000);
    assertEquals(FilterReply.NEUTRAL, log(tcp, "Accept error: could not accept new connection"), "a new period");
  }

  @Test
  void otherMessagesAndLoggersAreNotHeldBackByOneNoisyLine() {
    for (int i = 0; i < 100; i++) log(tcp, "noisy");
    assertEquals(FilterReply.NEUTRAL, log(tcp, "something else"));
    assertEquals(FilterReply.NEUTRAL, log(context.getLogger("dev.sluice.Other"), "noisy"));
  }
}
