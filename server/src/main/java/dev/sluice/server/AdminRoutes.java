package dev.sluice.server;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefix;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Operator endpoints under {@code /admin}, outside the Durable Streams URL space:
 * {@code GET /admin/cluster} shows this node's view of the cluster (self, every member with its
 * status and whether this node sees it as reachable), so a script or an operator can tell a
 * forming, healthy or degraded cluster apart without JMX.
 */
final class AdminRoutes {
  private AdminRoutes() {}

  static Route create(ActorSystem<?> system) {
    Cluster cluster = Cluster.get(system);
    return pathPrefix("admin", () -> path("cluster", () -> get(() -> complete(clusterJson(cluster)))));
  }

  private static HttpResponse clusterJson(Cluster cluster) {
    var state = cluster.state();
    List<String> unreachable = new ArrayList<>();
    state.getUnreachable().forEach(m -> unreachable.add(m.address().toString()));
    StringBuilder sb = new StringBuilder("{\"self\":").append(quote(cluster.selfMember().address().toString()))
        .append(",\"selfStatus\":").append(quote(cluster.selfMember().status().toString()))
        .append(",\"members\":[");
    List<Member> members = StreamSupport.stream(state.getMembers().spliterator(), false).toList();
    for (int i = 0; i < members.size(); i++) {
      Member m = members.get(i);
      if (i > 0) sb.append(',');
      sb.append("{\"address\":").append(quote(m.address().toString()))
          .append(",\"status\":").append(quote(m.status().toString()))
          .append(",\"reachable\":").append(!unreachable.contains(m.address().toString())).append('}');
    }
    sb.append("]}");
    return HttpResponse.create().withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, sb.toString()));
  }

  private static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
