package dev.sluice.server;

import dev.sluice.cluster.Formation;
import dev.sluice.cluster.NodeConfig;
import dev.sluice.core.CborSerializable;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Joins this node of a replicated cluster to the running cluster, or forms a new one when a
 * majority of the configured nodes run and none is a member ({@link Formation} decides; this actor
 * asks and acts). Every node runs it at {@code /system/sluice-formation} and answers every probe,
 * as a member or not, for as long as it runs; it probes only until it is Up itself.
 */
final class ClusterFormation {
  private ClusterFormation() {}

  static final String NAME = "sluice-formation";
  /** A named logger: the actor's own would log as {@code ActorCell} (behaviors built with Behaviors.receive). */
  private static final Logger LOG = LoggerFactory.getLogger(ClusterFormation.class);
  /** How often a node that is not Up yet asks the others; also how long it waits for their answers. */
  static final Duration ROUND = Duration.ofMillis(500);

  interface Command {}

  /** From another node's formation actor: are you a member? */
  record Probe(int fromOrdinal, ActorRef<Answer> replyTo) implements Command, CborSerializable {}

  /**
   * The answer: this node's ordinal, whether it is an Up member of a cluster, and which node it
   * would let form a new one ({@link Formation#candidate()}, -1 for none).
   */
  record Answer(int ordinal, boolean member, int candidate) implements Command, CborSerializable {}

  private enum Round implements Command { INSTANCE }

  /** Starts the actor on {@code system}: node {@code ordinal} of {@code nodes} (host:port of each Artery endpoint). */
  static void start(ActorSystem<?> system, List<String> nodes, int ordinal) {
    system.systemActorOf(behavior(nodes, ordinal), NAME, Props.empty());
  }

  static Behavior<Command> behavior(List<String> nodes, int ordinal) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay(Round.INSTANCE, Round.INSTANCE, ROUND);
      return new Running(ctx, timers, nodes, ordinal).behavior();
    }));
  }

  private static final class Running {
    private final ActorContext<Command> ctx;
    private final TimerScheduler<Command> timers;
    private final Cluster cluster;
    private final List<ActorRef<Probe>> peers;
    private final int self;
    private final Formation formation;
    private Formation.Seen[] seen;
    private int[] candidates;
    private String lastWhy = "";
    private int roundsSinceJoin = -1;

    Running(ActorContext<Command> ctx, TimerScheduler<Command> timers, List<String> nodes, int self) {
      this.ctx = ctx;
      this.timers = timers;
      this.cluster = Cluster.get(ctx.getSystem());
      this.self = self;
      this.formation = new Formation(self, nodes.size());
      ActorRefResolver resolver = ActorRefResolver.get(ctx.getSystem());
      this.peers = nodes.stream()
          .map(n -> resolver.<Probe>resolveActorRef("pekko://" + NodeConfig.SYSTEM_NAME + "@" + n + "/system/" + NAME))
          .toList();
      fresh();
    }

    private void fresh() {
      seen = new Formation.Seen[peers.size()];
      Arrays.fill(seen, Formation.Seen.SILENT);
      seen[self] = Formation.Seen.ALONE;
      candidates = new int[peers.size()];
      Arrays.fill(candidates, -1);
    }

    private boolean up() {
      var status = cluster.selfMember().status();
      return status == MemberStatus.up() || status == MemberStatus.weaklyUp();
    }

    Behavior<Command> behavior() {
      return Behaviors.receive(Command.class)
          .onMessage(Probe.class, p -> {
            p.replyTo().tell(new Answer(self, up(), formation.candidate()));
            return Behaviors.same();
          })
          .onMessage(Answer.class, a -> {
            if (a.ordinal() >= 0 && a.ordinal() < seen.length && a.ordinal() != self) {
              seen[a.ordinal()] = a.member() ? Formation.Seen.MEMBER : Formation.Seen.ALONE;
              candidates[a.ordinal()] = a.candidate();
            }
            return Behaviors.same();
          })
          .onMessage(Round.class, r -> round())
          .build();
    }

    private Behavior<Command> round() {
      if (up()) {
        LOG.info("cluster formation: this node is Up in {}", cluster.state().getMembers());
        timers.cancel(Round.INSTANCE);
        return Behaviors.same();
      }
      // Act on the answers of the round that just ended, then ask again.
      var decision = roundsSinceJoin >= 0 && roundsSinceJoin++ < JOIN_PATIENCE_ROUNDS ? null : formation.next(seen, candidates);
      if (decision instanceof Formation.Join j) {
        Address to = peers.get(j.ordinal()).path().address();
        LOG.info("cluster formation: node {} is a member of a cluster, joining it", j.ordinal());
        cluster.manager().tell(Join.create(to));
        roundsSinceJoin = 0;
      } else if (decision instanceof Formation.Form) {
        LOG.info("cluster formation: a majority of the configured nodes runs and none is a member of a cluster;"
            + " forming a new cluster (answers {})", Arrays.toString(seen));
        cluster.manager().tell(Join.create(cluster.selfMember().address()));
        roundsSinceJoin = 0;
      } else if (decision instanceof Formation.Wait w && !w.why().equals(lastWhy)) {
        LOG.info("cluster formation: waiting: {} (answers {})", w.why(), Arrays.toString(seen));
        lastWhy = w.why();
      }
      fresh();
      for (int i = 0; i < peers.size(); i++) {
        if (i != self) peers.get(i).tell(new Probe(self, ctx.getSelf().narrow()));
      }
      return Behaviors.same();
    }
  }

  /** Rounds a join may take before the node asks again (a join to a node that went away is lost). */
  static final int JOIN_PATIENCE_ROUNDS = 20;
}
