package dev.sluice.server.ops;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.completeWithFuture;
import static org.apache.pekko.http.javadsl.server.Directives.extractUri;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefix;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.actors.api.StreamGateway;
import dev.sluice.actors.api.StreamRejectedException;
import dev.sluice.actors.stream.StreamEntity;
import dev.sluice.core.error.ErrorCode;
import dev.sluice.core.rules.StreamView;
import dev.sluice.http.StreamUrls;
import dev.sluice.replication.Epoch;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.stream.StreamSupport;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.GetClusterShardingStats;
import org.apache.pekko.cluster.sharding.typed.HashCodeMessageExtractor;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Operator endpoints under {@code /admin}, outside the Durable Streams URL space (README "Operating"):
 *
 * <ul>
 *   <li>{@code GET /admin/cluster}: this node's view of the cluster (self, every member with its
 *       status and reachability) and its readiness with the reasons, so a script or an operator
 *       can tell a forming, healthy or degraded cluster apart without JMX.
 *   <li>{@code GET /admin/streams/<stream>} ({@code <stream>} as in {@code /v1/stream/<stream>}): the
 *       stream's committed tail (asked of its entity, like a HEAD), its owner (the node where Cluster
 *       Sharding placed it), and what each member holds of it ({@link StreamInspector}): the owner's
 *       writer with its epoch, log tail, commit point and entries acknowledged per replica, and each
 *       replica's promised epoch, stored, committed and materialized entries and limbo. 404 JSON for
 *       an unknown stream. On a single node the replication fields are null.
 * </ul>
 *
 * <p>Answers are JSON. A member that does not answer within {@link #ASK_TIMEOUT} is listed with an
 * error instead of failing the request.
 */
public final class AdminRoutes {
  static final Duration ASK_TIMEOUT = Duration.ofSeconds(3);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> STREAMS_ROOT = List.of("admin", "streams");

  private final ActorSystem<?> system;
  private final StreamGateway gateway;
  private final Readiness readiness;
  private final ActorRefResolver resolver;
  private final HashCodeMessageExtractor<StreamEntity.Command> shards;

  private AdminRoutes(ActorSystem<?> system, StreamGateway gateway) {
    this.system = system;
    this.gateway = gateway;
    this.readiness = Readiness.get(system);
    this.resolver = ActorRefResolver.get(system);
    this.shards = new HashCodeMessageExtractor<>(system.settings().config().getInt("pekko.cluster.sharding.number-of-shards"));
  }

  public static Route create(ActorSystem<?> system, StreamGateway gateway) {
    return new AdminRoutes(system, gateway).route();
  }

  private Route route() {
    return pathPrefix("admin", () -> get(() -> concat(
        path("cluster", () -> extractUri(u -> complete(clusterJson()))),
        pathPrefix("streams", () -> extractUri(uri -> {
          StreamUrls.Named named = StreamUrls.under(uri, STREAMS_ROOT);
          if (named instanceof StreamUrls.Stream s) return completeWithFuture(stream(s.path()));
          String why = named instanceof StreamUrls.NotAStream n ? n.reason() : "not a stream URL";
          return complete(json(StatusCodes.BAD_REQUEST, error(why, null)));
        })))));
  }

  // ---------------------------------------------------------------- /admin/cluster

  private HttpResponse clusterJson() {
    Cluster cluster = Cluster.get(system);
    var state = cluster.state();
    List<String> unreachable = new ArrayList<>();
    state.getUnreachable().forEach(m -> unreachable.add(m.address().toString()));
    ObjectNode out = JSON.createObjectNode();
    out.put("self", cluster.selfMember().address().toString());
    out.put("selfStatus", cluster.selfMember().status().toString());
    ArrayNode members = out.putArray("members");
    for (Member m : StreamSupport.stream(state.getMembers().spliterator(), false).toList()) {
      ObjectNode n = members.addObject();
      n.put("address", m.address().toString());
      n.put("status", m.status().toString());
      n.put("reachable", !unreachable.contains(m.address().toString()));
    }
    List<String> problems = readiness.problems();
    out.put("ready", problems.isEmpty());
    ArrayNode reasons = out.putArray("notReadyReasons");
    problems.forEach(reasons::add);
    return json(StatusCodes.OK, out);
  }

  // ---------------------------------------------------------------- /admin/streams/<stream>

  private CompletionStage<HttpResponse> stream(String path) {
    return gateway.view(path, false)
        .thenCompose(view -> owner(path).thenCompose(owner -> reports(path, view).thenApply(reports -> streamJson(path, view, owner, reports))))
        .exceptionally(e -> failure(path, e));
  }

  /** Where Cluster Sharding placed the stream's shard (its entity runs there), or null if unknown. */
  private CompletionStage<String> owner(String path) {
    String shard = shards.shardId(path);
    CompletionStage<ShardRegion.ClusterShardingStats> stats = AskPattern.ask(
        ClusterSharding.get(system).shardState(),
        (ActorRef<ShardRegion.ClusterShardingStats> replyTo) -> new GetClusterShardingStats(StreamEntity.TYPE_KEY, ASK_TIMEOUT, replyTo),
        ASK_TIMEOUT.plusSeconds(1), system.scheduler());
    return stats.handle((s, e) -> {
      if (e != null) return null;
      for (Map.Entry<Address, ShardRegion.ShardRegionStats> r : s.getRegions().entrySet()) {
        if (r.getValue().getStats().containsKey(shard)) return r.getKey().toString();
      }
      return null;
    });
  }

  /** Every alive member's {@link StreamInspector.NodeReport}; one that does not answer is an error entry. */
  private CompletionStage<List<StreamInspector.NodeReport>> reports(String path, StreamView view) {
    String pid = StreamEntity.persistenceId(path).id();
    List<CompletableFuture<StreamInspector.NodeReport>> asks = new ArrayList<>();
    for (Member m : Cluster.get(system).state().getMembers()) {
      if (!Readiness.alive(m.status())) continue;
      String node = m.address().toString();
      ActorRef<StreamInspector.Command> inspector = resolver.resolveActorRef(node + "/system/" + StreamInspector.NAME);
      CompletionStage<StreamInspector.NodeReport> ask = AskPattern.ask(inspector,
          replyTo -> new StreamInspector.Inspect(pid, view.storeId(), replyTo), ASK_TIMEOUT, system.scheduler());
      int ordinal = replicaSet().indexOf(Readiness.endpoint(m.address()));
      asks.add(ask.toCompletableFuture().exceptionally(e ->
          new StreamInspector.NodeReport(node, ordinal, null, null, -1, "no answer within " + ASK_TIMEOUT.toSeconds() + " s")));
    }
    return CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new))
        .thenApply(v -> asks.stream().map(CompletableFuture::join).toList());
  }

  private HttpResponse streamJson(String path, StreamView view, String owner, List<StreamInspector.NodeReport> reports) {
    ObjectNode out = JSON.createObjectNode();
    out.put("stream", path);
    out.put("persistenceId", StreamEntity.persistenceId(path).id());
    out.put("contentType", view.info().contentType());
    out.put("tailOffset", view.info().tail().format());
    out.put("closed", view.info().closed());
    StreamInspector.NodeReport writerNode = null;
    for (StreamInspector.NodeReport r : reports) {
      if (r.writer() != null && (writerNode == null || r.writer().epoch() > writerNode.writer().epoch())) writerNode = r;
    }
    // Sharding's statistics may not answer in time (a region of a node that just died holds the
    // query up); the node running the stream's writer is then the best answer.
    out.put("owner", owner != null ? owner : writerNode != null ? writerNode.node() : null);
    out.put("shard", shards.shardId(path));
    boolean replicated = reports.stream().anyMatch(r -> r.ordinal() >= 0);
    out.put("replicated", replicated);
    if (!replicated) {
      // One copy, written through the local journal: everything stored is committed.
      out.putNull("epoch");
      out.put("committedOffset", view.info().tail().format());
      out.putNull("committedEntry");
      out.putNull("writer");
    } else {
      long epoch = writerNode != null ? writerNode.writer().epoch() : 0;
      long committed = writerNode != null ? writerNode.writer().committedEntry() : 0;
      if (writerNode == null) {
        // No live writer (idle): the newest promise and commit point the replicas recorded.
        for (StreamInspector.NodeReport r : reports) {
          if (r.replica() == null) continue;
          epoch = Math.max(epoch, r.replica().storedEntryEpoch());
          committed = Math.max(committed, r.replica().committedEntry());
        }
      }
      out.put("epoch", Epoch.show(epoch));
      out.put("committedOffset", view.info().tail().format());
      out.put("committedEntry", committed);
      if (writerNode == null) {
        out.putNull("writer");
      } else {
        ObjectNode w = out.putObject("writer");
        var wi = writerNode.writer();
        w.put("node", writerNode.node());
        w.put("ordinal", writerNode.ordinal());
        w.put("phase", wi.phase());
        w.put("epoch", Epoch.show(wi.epoch()));
        w.put("tailEntry", wi.tailEntry());
        w.put("committedEntry", wi.committedEntry());
        ArrayNode acked = w.putArray("ackedEntries");
        wi.ackedEntries().forEach(acked::add);
        ArrayNode lag = w.putArray("lagEntries");
        wi.lagEntries().forEach(lag::add);
      }
    }
    ArrayNode nodes = out.putArray("nodes");
    List<StreamInspector.NodeReport> all = new ArrayList<>(reports);
    if (replicated) {
      // Replica-set nodes that are not (alive) cluster members answer nothing; say so.
      List<String> replicaSet = replicaSet();
      for (int i = 0; i < replicaSet.size(); i++) {
        int ordinal = i;
        if (reports.stream().noneMatch(r -> r.ordinal() == ordinal)) {
          all.add(new StreamInspector.NodeReport(replicaSet.get(i), i, null, null, -1, "not a cluster member (down or not started)"));
        }
      }
      all.sort(java.util.Comparator.comparingInt(StreamInspector.NodeReport::ordinal));
    }
    for (StreamInspector.NodeReport r : all) {
      ObjectNode n = nodes.addObject();
      n.put("node", r.node());
      if (r.ordinal() >= 0) n.put("ordinal", r.ordinal());
      if (r.storedBytes() >= 0) n.put("storedBytes", r.storedBytes());
      if (r.replica() != null) {
        var ri = r.replica();
        ObjectNode rep = n.putObject("replica");
        rep.put("promisedEpoch", Epoch.show(ri.promisedEpoch()));
        rep.put("storedEntry", ri.storedEntry());
        rep.put("storedEntryEpoch", Epoch.show(ri.storedEntryEpoch()));
        rep.put("committedEntry", ri.committedEntry());
        rep.put("materializedEntry", ri.materializedEntry());
        rep.put("limbo", ri.limbo());
      } else if (replicated && r.error() == null) {
        n.putNull("replica");
      }
      if (r.error() != null) n.put("error", r.error());
    }
    return json(StatusCodes.OK, out);
  }

  /** The replica set's endpoints by ordinal; empty on a single node. */
  private List<String> replicaSet() {
    var config = system.settings().config();
    return dev.sluice.cluster.ClusterSettings.replicated(config) ? config.getStringList("sluice.replication.nodes") : List.of();
  }

  private HttpResponse failure(String path, Throwable e) {
    Throwable t = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    if (t instanceof StreamRejectedException r) {
      ErrorCode code = r.rejection().code();
      StatusCode status = code == ErrorCode.STREAM_NOT_FOUND ? StatusCodes.NOT_FOUND
          : code == ErrorCode.STREAM_GONE ? StatusCodes.GONE : StatusCodes.CONFLICT;
      return json(status, error(code == ErrorCode.STREAM_NOT_FOUND ? "stream not found" : r.rejection().detail(), path));
    }
    return json(StatusCodes.SERVICE_UNAVAILABLE, error("could not inspect the stream: " + t.getMessage(), path));
  }

  private static ObjectNode error(String message, String path) {
    ObjectNode n = JSON.createObjectNode();
    n.put("error", message);
    if (path != null) n.put("stream", path);
    return n;
  }

  private static HttpResponse json(StatusCode status, ObjectNode body) {
    return HttpResponse.create().withStatus(status)
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, body.toString()));
  }
}
