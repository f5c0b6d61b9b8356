package dev.sluice.server;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;

/**
 * Rate-limits repeated log lines: the same message from the same logger is written at most
 * {@code burst} times per {@code periodMillis}; what is dropped is counted and reported in one
 * line when the message shows up again in a later period.
 *
 * <p>Failure story: when the process ran out of file descriptors, Pekko's accept loop logged
 * "Accept error: could not accept new connection" with its stack trace about 2 million times in
 * 50 s: 3.2 GB of log, enough to fill the disk that storage needs. Configured in
 * {@code logback.xml}; the clock is injectable for tests.
 *
 * <p>Thread-safe. The set of tracked messages is bounded ({@code maxKeys}); past it the table is
 * cleared, so the bound can only let a few more lines through, never fewer.
 */
public final class RepeatedLogFilter extends TurboFilter {
  private static final String SELF = RepeatedLogFilter.class.getName();

  private int burst = 10;
  private long periodMillis = 10_000;
  private int maxKeys = 1_000;
  private java.util.function.LongSupplier clock = System::currentTimeMillis;
  private final ConcurrentHashMap<String, Window> windows = new ConcurrentHashMap<>();

  /** Lines of one message in the current period, and those dropped since the last report. */
  private static final class Window {
    long start;
    int count;
    final AtomicLong dropped = new AtomicLong();
  }

  public void setBurst(int burst) {
    this.burst = burst;
  }

  public void setPeriodMillis(long periodMillis) {
    this.periodMillis = periodMillis;
  }

  public void setMaxKeys(int maxKeys) {
    this.maxKeys = maxKeys;
  }

  void setClock(java.util.function.LongSupplier clock) {
    this.clock = clock;
  }

  @Override
  public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
    if (format == null || logger == null || !level.isGreaterOrEqual(logger.getEffectiveLevel()) || SELF.equals(logger.getName())) {
      return FilterReply.NEUTRAL;
    }
    if (windows.size() >= maxKeys) windows.clear();
    String key = logger.getName() + '\u0000' + format;
    Window w = windows.computeIfAbsent(key, k -> new Window());
    long now = clock.getAsLong();
    long droppedBefore;
    synchronized (w) {
      if (now - w.start >= periodMillis) {
        w.start = now;
        w.count = 0;
      }
      if (++w.count > burst) {
        w.dropped.incrementAndGet();
        return FilterReply.DENY;
      }
      droppedBefore = w.count == 1 ? w.dropped.getAndSet(0) : 0;
    }
    if (droppedBefore > 0) {
      LoggerFactory.getLogger(SELF).warn("{} more lines like the next one from {} were not logged (over {} per {} ms)",
          droppedBefore, logger.getName(), burst, periodMillis);
    }
    return FilterReply.NEUTRAL;
  }
}
