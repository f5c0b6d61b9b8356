package dev.sluice.server.ops;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of Prometheus' text exposition format 0.0.4, for tests: every line must be a
 * well-formed {@code # HELP}, {@code # TYPE} or sample line, or it throws. Samples are keyed by
 * {@code name{labels}} exactly as written.
 */
final class PrometheusText {
  private static final String NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
  private static final String LABEL = "[a-zA-Z_][a-zA-Z0-9_]*=\"(?:\\\\.|[^\"\\\\])*\"";
  private static final String VALUE = "(?:[-+]?(?:[0-9]*\\.?[0-9]+(?:[eE][-+]?[0-9]+)?)|NaN|[-+]Inf)";
  private static final Pattern SAMPLE = Pattern.compile(
      "^(" + NAME + "(?:\\{(?:" + LABEL + ")(?:," + LABEL + ")*,?\\})?) (" + VALUE + ")(?: -?[0-9]+)?$");
  private static final Pattern HELP = Pattern.compile("^# HELP " + NAME + " .*$");
  private static final Pattern TYPE = Pattern.compile("^# TYPE " + NAME + " (counter|gauge|histogram|summary|untyped)$");

  private PrometheusText() {}

  static Map<String, Double> parse(String text) {
    Map<String, Double> samples = new LinkedHashMap<>();
    int n = 0;
    for (String line : text.split("\n", -1)) {
      n++;
      if (line.isEmpty()) continue;
      if (line.startsWith("#")) {
        if (!HELP.matcher(line).matches() && !TYPE.matcher(line).matches()) {
          throw new AssertionError("line " + n + " is not a HELP or TYPE line: " + line);
        }
        continue;
      }
      Matcher m = SAMPLE.matcher(line);
      if (!m.matches()) throw new AssertionError("line " + n + " is not a sample: " + line);
      samples.put(m.group(1), Double.parseDouble(m.group(2).replace("Inf", "Infinity")));
    }
    return samples;
  }

  /** The value of {@code key} ({@code name} or {@code name{labels}}), failing if absent. */
  static double value(Map<String, Double> samples, String key) {
    Double v = samples.get(key);
    if (v == null) throw new AssertionError("no sample " + key + "; have e.g. "
        + samples.keySet().stream().filter(k -> k.startsWith(key.split("\\{")[0])).toList());
    return v;
  }
}
