package dev.sluice.bench.metrics;

import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * The numbers reported for one latency distribution, in milliseconds, plus its percentile curve
 * (for the charts). Immutable.
 *
 * @param curve points {@code [percentile (0-100), latency ms]}, increasing in both
 */
public record LatencySummary(long count, double mean, double p50, double p90, double p99, double p999,
                             double max, List<double[]> curve) {

  public static final LatencySummary EMPTY = new LatencySummary(0, 0, 0, 0, 0, 0, 0, List.of());

  /** Summarises a histogram of microsecond values. */
  public static LatencySummary of(Histogram h) {
    if (h.getTotalCount() == 0) return EMPTY;
    List<double[]> curve = new ArrayList<>();
    for (HistogramIterationValue v : h.percentiles(5)) {
      double pct = v.getPercentileLevelIteratedTo();
      double ms = h.highestEquivalentValue(v.getValueIteratedTo()) / 1000.0;
      if (!curve.isEmpty() && curve.get(curve.size() - 1)[0] >= pct) continue;
      curve.add(new double[] {pct, ms});
      if (pct >= 100.0) break;
    }
    return new LatencySummary(h.getTotalCount(), h.getMean() / 1000.0, ms(h, 50), ms(h, 90), ms(h, 99),
        ms(h, 99.9), h.getMaxValue() / 1000.0, List.copyOf(curve));
  }

  private static double ms(Histogram h, double percentile) {
    return h.getValueAtPercentile(percentile) / 1000.0;
  }

  /** {@code p50 1.21 ms  p99 3.90 ms ...} for progress lines and logs. */
  public String brief() {
    if (count == 0) return "no samples";
    return "p50 " + fmt(p50) + "  p99 " + fmt(p99) + "  p99.9 " + fmt(p999) + "  max " + fmt(max);
  }

  /** Milliseconds with 2-3 significant digits: {@code 0.183 ms}, {@code 4.21 ms}, {@code 153 ms}. */
  public static String fmt(double ms) {
    if (ms >= 100) return String.format("%.0f ms", ms);
    if (ms >= 10) return String.format("%.1f ms", ms);
    if (ms >= 1) return String.format("%.2f ms", ms);
    return String.format("%.3f ms", ms);
  }
}
