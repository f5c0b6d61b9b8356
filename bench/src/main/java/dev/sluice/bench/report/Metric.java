package dev.sluice.bench.report;

/**
 * One headline number of a result, a row of the comparison table.
 *
 * @param key            stable identifier, e.g. {@code throughput}, {@code p99}
 * @param label          what the table shows, e.g. {@code appends/s}, {@code p99 ms}
 * @param higherIsBetter direction, for reading ratios
 */
public record Metric(String key, String label, double value, boolean higherIsBetter) {

  /** The value as the tables print it. */
  public String formatted() {
    return format(value);
  }

  public static String format(double v) {
    if (Double.isNaN(v)) return "n/a";
    double a = Math.abs(v);
    if (a == 0) return "0";
    if (a >= 1000 || (v == Math.rint(v) && a < 1e15)) return String.format("%,.0f", v);
    if (a >= 100) return String.format("%.0f", v);
    if (a >= 10) return String.format("%.1f", v);
    if (a >= 1) return String.format("%.2f", v);
    return String.format("%.3f", v);
  }
}
