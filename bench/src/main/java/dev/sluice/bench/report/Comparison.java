package dev.sluice.bench.report;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Results of the same load shapes against several servers, reduced to one table: for each result
 * name and headline metric, the median over the runs of each server, and its ratio to the baseline
 * server's median. Immutable once built.
 */
public final class Comparison {

  /** One table row: a metric of one load shape, the median per server label. */
  public record Row(String name, String metricKey, String metricLabel, boolean higherIsBetter,
                    Map<String, Double> medians, Map<String, Integer> runs) {}

  private final String baseline;
  private final List<String> labels;
  private final List<Row> rows;
  private final Map<String, List<ScenarioResult>> byNameAndLabel;

  private Comparison(String baseline, List<String> labels, List<Row> rows, Map<String, List<ScenarioResult>> groups) {
    this.baseline = baseline;
    this.labels = labels;
    this.rows = rows;
    this.byNameAndLabel = groups;
  }

  /** Groups {@code results} by name and label; rows keep the order in which names and metrics first appear. */
  public static Comparison of(List<ScenarioResult> results, String baseline) {
    Set<String> labelSet = new LinkedHashSet<>();
    if (results.stream().anyMatch(r -> r.label().equals(baseline))) labelSet.add(baseline);
    Map<String, List<ScenarioResult>> groups = new LinkedHashMap<>();
    Map<String, Map<String, Metric>> metricsByName = new LinkedHashMap<>();
    for (ScenarioResult r : results) {
      labelSet.add(r.label());
      groups.computeIfAbsent(key(r.name(), r.label()), k -> new ArrayList<>()).add(r);
      Map<String, Metric> ms = metricsByName.computeIfAbsent(r.name(), k -> new LinkedHashMap<>());
      for (Metric m : r.metrics()) ms.putIfAbsent(m.key(), m);
    }
    List<String> labels = List.copyOf(labelSet);
    List<Row> rows = new ArrayList<>();
    metricsByName.forEach((name, ms) -> {
      for (Metric m : ms.values()) {
        Map<String, Double> medians = new LinkedHashMap<>();
        Map<String, Integer> runs = new LinkedHashMap<>();
        for (String label : labels) {
          List<ScenarioResult> rs = groups.getOrDefault(key(name, label), List.of());
          double[] vals = rs.stream().map(r -> r.metric(m.key())).filter(x -> x != null && !Double.isNaN(x.value()))
              .mapToDouble(Metric::value).toArray();
          if (vals.length > 0) {
            medians.put(label, median(vals));
            runs.put(label, vals.length);
          }
        }
        rows.add(new Row(name, m.key(), m.label(), m.higherIsBetter(), medians, runs));
      }
    });
    return new Comparison(baseline, labels, rows, groups);
  }

  /** The same comparison with only the rows of these metric keys, in their original order. */
  public Comparison only(java.util.Collection<String> metricKeys) {
    List<Row> kept = new ArrayList<>();
    for (Row r : rows) {
      if (metricKeys.contains(r.metricKey())) kept.add(r);
    }
    return new Comparison(baseline, labels, kept, byNameAndLabel);
  }

  private static String key(String name, String label) {
    return name + "\u0000" + label;
  }

  /** The median; the mean of the middle two for an even count. */
  public static double median(double... values) {
    if (values.length == 0) return Double.NaN;
    double[] v = values.clone();
    Arrays.sort(v);
    int n = v.length;
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  }

  public List<String> labels() {
    return labels;
  }

  public List<Row> rows() {
    return rows;
  }

  /** Result names in table order. */
  public List<String> names() {
    List<String> out = new ArrayList<>();
    for (Row r : rows) {
      if (!out.contains(r.name())) out.add(r.name());
    }
    return out;
  }

  /** The run whose headline metric is closest to the median for (name, label), or null. */
  public ScenarioResult representative(String name, String label) {
    List<ScenarioResult> rs = byNameAndLabel.getOrDefault(key(name, label), List.of());
    if (rs.isEmpty()) return null;
    String head = rs.get(0).metrics().isEmpty() ? null : rs.get(0).metrics().get(0).key();
    if (head == null) return rs.get(0);
    double med = median(rs.stream().map(r -> r.metric(head)).filter(m -> m != null && !Double.isNaN(m.value()))
        .mapToDouble(Metric::value).toArray());
    ScenarioResult best = rs.get(0);
    double bestDist = Double.MAX_VALUE;
    for (ScenarioResult r : rs) {
      Metric m = r.metric(head);
      double d = m == null || Double.isNaN(m.value()) ? Double.MAX_VALUE : Math.abs(m.value() - med);
      if (d < bestDist) {
        bestDist = d;
        best = r;
      }
    }
    return best;
  }

  /** Every run of (name, label). */
  public List<ScenarioResult> runs(String name, String label) {
    return byNameAndLabel.getOrDefault(key(name, label), List.of());
  }

  /** {@code value / baseline}, formatted like {@code 0.42x}; a dash when either side is missing or zero. */
  public static String ratio(Double value, Double base) {
    if (value == null || base == null || base == 0 || value.isNaN() || base.isNaN()) return "–";
    return String.format("%.2fx", value / base);
  }

  /**
   * The Markdown table: one row per (result name, metric), one value column per server and, for
   * every server but the baseline, a ratio column {@code server ÷ baseline}.
   */
  public String markdown() {
    StringBuilder sb = new StringBuilder();
    sb.append("| scenario | metric |");
    for (String l : labels) {
      sb.append(' ').append(l).append(" |");
      if (!l.equals(baseline)) sb.append(" ÷ ").append(baseline).append(" |");
    }
    sb.append('\n').append("|---|---|");
    for (String l : labels) sb.append(l.equals(baseline) ? "---:|" : "---:|---:|");
    sb.append('\n');
    String prevName = null;
    for (Row r : rows) {
      sb.append("| ").append(r.name().equals(prevName) ? "" : r.name()).append(" | ").append(r.metricLabel())
          .append(r.higherIsBetter() ? " ↑" : " ↓").append(" |");
      prevName = r.name();
      Double base = r.medians().get(baseline);
      for (String l : labels) {
        Double v = r.medians().get(l);
        sb.append(' ').append(v == null ? "n/a" : Metric.format(v)).append(" |");
        if (!l.equals(baseline)) sb.append(' ').append(ratio(v, base)).append(" |");
      }
      sb.append('\n');
    }
    int maxRuns = rows.stream().flatMap(r -> r.runs().values().stream()).mapToInt(Integer::intValue).max().orElse(0);
    sb.append('\n').append(maxRuns > 1 ? "Values are medians of " + maxRuns + " runs. " : "")
        .append("↑ higher is better, ↓ lower is better; latencies in ms. "
            + "Ratio columns are that server's value divided by " + baseline + "'s.\n");
    return sb.toString();
  }

  /** Problems reported by any run, grouped by server and result name; empty if every run was clean. */
  public String problemsMarkdown() {
    StringBuilder sb = new StringBuilder();
    for (String l : labels) {
      for (String name : names()) {
        for (ScenarioResult r : runs(name, l)) {
          if (r.problems().isEmpty()) continue;
          sb.append("- **").append(l).append("** `").append(name).append("` (").append(r.startedAt()).append("): ")
              .append(String.join("; ", r.problems())).append('\n');
          for (String s : r.samples()) sb.append("    - ").append(s).append('\n');
        }
      }
    }
    return sb.toString();
  }
}
