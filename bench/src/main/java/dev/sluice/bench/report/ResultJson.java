package dev.sluice.bench.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.bench.metrics.LatencySummary;
import dev.sluice.bench.metrics.RequestStats;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The JSON form of a {@link ScenarioResult} (one file per run), and its inverse. Field names are the
 * record's; latencies are in milliseconds; {@code curve} is {@code [[percentile, ms], ...]}.
 */
public final class ResultJson {

  private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private ResultJson() {}

  public static String write(ScenarioResult r) {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("name", r.name());
    o.put("scenario", r.scenario());
    o.put("label", r.label());
    o.put("url", r.url());
    o.put("startedAt", r.startedAt());
    o.put("seconds", r.seconds());
    ObjectNode params = o.putObject("params");
    r.params().forEach(params::put);
    ArrayNode metrics = o.putArray("metrics");
    for (Metric m : r.metrics()) {
      ObjectNode mo = metrics.addObject();
      mo.put("key", m.key());
      mo.put("label", m.label());
      if (Double.isNaN(m.value())) {
        mo.putNull("value");
      } else {
        mo.put("value", m.value());
      }
      mo.put("higherIsBetter", m.higherIsBetter());
    }
    ObjectNode lat = o.putObject("latencies");
    r.latencies().forEach((k, s) -> {
      ObjectNode lo = lat.putObject(k);
      lo.put("count", s.count());
      lo.put("mean", s.mean());
      lo.put("p50", s.p50());
      lo.put("p90", s.p90());
      lo.put("p99", s.p99());
      lo.put("p999", s.p999());
      lo.put("max", s.max());
      ArrayNode curve = lo.putArray("curve");
      for (double[] pt : s.curve()) curve.addArray().add(pt[0]).add(pt[1]);
    });
    RequestStats.Snapshot c = r.counts();
    ObjectNode co = o.putObject("counts");
    co.put("ok", c.ok());
    co.put("units", c.units());
    co.put("bytes", c.bytes());
    co.put("badStatus", c.badStatus());
    co.put("timeouts", c.timeouts());
    co.put("connectionErrors", c.connectionErrors());
    co.put("protocolErrors", c.protocolErrors());
    ObjectNode st = co.putObject("byStatus");
    c.byStatus().forEach((k, v) -> st.put(Integer.toString(k), v));
    ArrayNode problems = o.putArray("problems");
    r.problems().forEach(problems::add);
    ArrayNode samples = o.putArray("samples");
    r.samples().forEach(samples::add);
    try {
      return MAPPER.writeValueAsString(o) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  public static ScenarioResult read(String json) {
    JsonNode o;
    try {
      o = MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not a sluice-bench result: " + e.getOriginalMessage());
    }
    if (o == null || !o.has("name") || !o.has("metrics")) throw new IllegalArgumentException("not a sluice-bench result");
    Map<String, String> params = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : o.path("params").properties()) params.put(e.getKey(), e.getValue().asText());
    List<Metric> metrics = new ArrayList<>();
    for (JsonNode m : o.path("metrics")) {
      JsonNode v = m.path("value");
      metrics.add(new Metric(m.path("key").asText(), m.path("label").asText(),
          v.isNumber() ? v.asDouble() : Double.NaN, m.path("higherIsBetter").asBoolean()));
    }
    Map<String, LatencySummary> latencies = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : o.path("latencies").properties()) {
      JsonNode l = e.getValue();
      List<double[]> curve = new ArrayList<>();
      for (JsonNode pt : l.path("curve")) curve.add(new double[] {pt.path(0).asDouble(), pt.path(1).asDouble()});
      latencies.put(e.getKey(), new LatencySummary(l.path("count").asLong(), l.path("mean").asDouble(),
          l.path("p50").asDouble(), l.path("p90").asDouble(), l.path("p99").asDouble(), l.path("p999").asDouble(),
          l.path("max").asDouble(), List.copyOf(curve)));
    }
    JsonNode c = o.path("counts");
    Map<Integer, Long> byStatus = new TreeMap<>();
    for (Map.Entry<String, JsonNode> e : c.path("byStatus").properties()) byStatus.put(Integer.parseInt(e.getKey()), e.getValue().asLong());
    RequestStats.Snapshot counts = new RequestStats.Snapshot(c.path("ok").asLong(), c.path("units").asLong(),
        c.path("bytes").asLong(), c.path("badStatus").asLong(), c.path("timeouts").asLong(),
        c.path("connectionErrors").asLong(), c.path("protocolErrors").asLong(), byStatus);
    return new ScenarioResult(o.path("name").asText(), o.path("scenario").asText(), o.path("label").asText(),
        o.path("url").asText(), o.path("startedAt").asText(), o.path("seconds").asDouble(), params, metrics,
        latencies, counts, texts(o.path("problems")), texts(o.path("samples")));
  }

  private static List<String> texts(JsonNode arr) {
    List<String> out = new ArrayList<>();
    for (JsonNode n : arr) out.add(n.asText());
    return out;
  }
}
