package dev.sluice.bench.failover;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads one node's {@code GET /admin/cluster} answer (server module, {@code AdminRoutes}): the node
 * is healthy when it is Up itself and sees exactly the expected number of members, every one Up and
 * reachable. A killed node has rejoined once every node's view is healthy. Pure; thread-safe.
 */
final class ClusterHealth {

  private static final Pattern SELF_STATUS = Pattern.compile("\"selfStatus\"\\s*:\\s*\"([^\"]*)\"");
  private static final Pattern MEMBER = Pattern.compile(
      "\\{\\s*\"address\"\\s*:\\s*\"([^\"]*)\"\\s*,\\s*\"status\"\\s*:\\s*\"([^\"]*)\"\\s*,\\s*\"reachable\"\\s*:\\s*(true|false)\\s*}");

  private ClusterHealth() {}

  /** Null when {@code json} shows a healthy node of a {@code members}-node cluster, else why not. */
  static String problem(String json, int members) {
    if (json == null) return "no answer";
    Matcher self = SELF_STATUS.matcher(json);
    if (!self.find()) return "not a cluster view: " + abbreviate(json);
    if (!self.group(1).equals("Up")) return "self is " + self.group(1);
    Matcher m = MEMBER.matcher(json);
    int n = 0;
    StringBuilder bad = new StringBuilder();
    while (m.find()) {
      n++;
      if (!m.group(2).equals("Up") || !m.group(3).equals("true")) {
        if (bad.length() > 0) bad.append(", ");
        bad.append(m.group(1)).append(' ').append(m.group(2)).append(m.group(3).equals("true") ? "" : " unreachable");
      }
    }
    if (bad.length() > 0) return bad.toString();
    if (n != members) return n + " members, expected " + members;
    return null;
  }

  /** True when {@code json} shows an Up node that is the only member of its cluster. */
  static boolean alone(String json) {
    if (json == null) return false;
    Matcher self = SELF_STATUS.matcher(json);
    if (!self.find() || !self.group(1).equals("Up")) return false;
    Matcher m = MEMBER.matcher(json);
    int n = 0;
    while (m.find()) n++;
    return n == 1;
  }

  private static String abbreviate(String s) {
    return s.length() > 120 ? s.substring(0, 120) + "..." : s;
  }
}
