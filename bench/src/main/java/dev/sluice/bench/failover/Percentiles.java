package dev.sluice.bench.failover;

import java.util.Arrays;

/** Nearest-rank percentiles of a small sample (the recovery times of 20 kills). Pure. */
final class Percentiles {

  private Percentiles() {}

  /** The smallest value with at least {@code q} (0..1] of the sample at or below it; NaN for an empty sample. */
  static double nearestRank(double[] values, double q) {
    if (values.length == 0) return Double.NaN;
    double[] v = values.clone();
    Arrays.sort(v);
    int rank = (int) Math.ceil(q * v.length);
    return v[Math.max(0, Math.min(v.length - 1, rank - 1))];
  }
}
