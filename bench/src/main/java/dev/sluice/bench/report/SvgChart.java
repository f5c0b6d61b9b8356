package dev.sluice.bench.report;

import java.util.List;
import java.util.Locale;

/**
 * A latency-by-percentile chart in plain SVG, in the style of HdrHistogram's plots: the x axis
 * stretches the tail ({@code log10(1 / (1 - p))}, so 90 %, 99 %, 99.9 % are equally spaced), the y
 * axis is logarithmic in milliseconds so servers that differ by orders of magnitude share one chart.
 */
public final class SvgChart {

  /** One curve: {@code [percentile 0-100, ms]} points. */
  public record Series(String name, List<double[]> curve) {}

  private static final String[] COLORS = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"};
  private static final int W = 760;
  private static final int H = 420;
  private static final int LEFT = 70;
  private static final int RIGHT = 40;
  private static final int TOP = 40;
  private static final int BOTTOM = 60;
  /** x axis ends at 99.999 %. */
  private static final double MAX_NINES = 5;

  private SvgChart() {}

  public static String render(String title, List<Series> series) {
    double minMs = Double.MAX_VALUE;
    double maxMs = 0;
    for (Series s : series) {
      for (double[] p : s.curve()) {
        if (p[1] > 0) minMs = Math.min(minMs, p[1]);
        maxMs = Math.max(maxMs, p[1]);
      }
    }
    if (maxMs <= 0) {
      minMs = 0.1;
      maxMs = 1;
    }
    double lo = Math.floor(Math.log10(Math.max(minMs, 0.001)));
    double hi = Math.ceil(Math.log10(maxMs));
    if (hi <= lo) hi = lo + 1;
    StringBuilder sb = new StringBuilder(8192);
    sb.append(String.format(Locale.ROOT,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">\n",
        W, H, W, H));
    sb.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
    sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"22\" font-size=\"15\" font-weight=\"bold\">%s</text>\n", LEFT, esc(title)));
    int pw = W - LEFT - RIGHT;
    int ph = H - TOP - BOTTOM;
    // y grid: decades, plus 2x and 5x
    for (int d = (int) lo; d <= (int) hi; d++) {
      for (int m : new int[] {1, 2, 5}) {
        double v = m * Math.pow(10, d);
        double lv = Math.log10(v);
        if (lv < lo - 1e-9 || lv > hi + 1e-9) continue;
        double y = TOP + ph - (lv - lo) / (hi - lo) * ph;
        sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"%s\"/>\n",
            LEFT, y, LEFT + pw, y, m == 1 ? "#bbb" : "#eee"));
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
            LEFT - 6, y + 4, msLabel(v)));
      }
    }
    // x grid: 0, 90, 99, 99.9, 99.99, 99.999
    String[] xl = {"0%", "90%", "99%", "99.9%", "99.99%", "99.999%"};
    for (int i = 0; i <= MAX_NINES; i++) {
      double x = LEFT + i / MAX_NINES * pw;
      sb.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>\n", x, TOP, x, TOP + ph));
      sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n", x, TOP + ph + 18, xl[i]));
    }
    sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">percentile</text>\n", LEFT + pw / 2, H - 22));
    sb.append(String.format(Locale.ROOT, "<text x=\"16\" y=\"%d\" transform=\"rotate(-90 16 %d)\" text-anchor=\"middle\">latency (ms, log scale)</text>\n",
        TOP + ph / 2, TOP + ph / 2));
    sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#888\"/>\n", LEFT, TOP, pw, ph));
    for (int i = 0; i < series.size(); i++) {
      Series s = series.get(i);
      String color = COLORS[i % COLORS.length];
      StringBuilder pts = new StringBuilder();
      for (double[] p : s.curve()) {
        double nines = p[0] >= 100 ? MAX_NINES : Math.min(MAX_NINES, Math.log10(100.0 / (100.0 - p[0])));
        double x = LEFT + nines / MAX_NINES * pw;
        double lv = Math.log10(Math.max(p[1], Math.pow(10, lo)));
        double y = TOP + ph - (lv - lo) / (hi - lo) * ph;
        pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
      }
      sb.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"%s\"/>\n", color, pts.toString().trim()));
      int ly = TOP + 16 + i * 16;
      sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"3\"/>\n", LEFT + 10, ly - 4, LEFT + 30, ly - 4, color));
      sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>\n", LEFT + 36, ly, esc(s.name())));
    }
    sb.append("</svg>\n");
    return sb.toString();
  }

  private static String msLabel(double v) {
    if (v >= 1000) return String.format(Locale.ROOT, "%.0fs", v / 1000);
    if (v >= 1) return String.format(Locale.ROOT, "%.0f", v);
    return new java.math.BigDecimal(v).round(new java.math.MathContext(1)).stripTrailingZeros().toPlainString();
  }

  static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
