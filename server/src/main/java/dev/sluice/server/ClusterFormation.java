package dev.sluice.server;

import dev.sluice.cluster.Formation;
import dev.sluice.cluster.NodeConfig;
import dev.sluice.cluster.SplitCheck;
import dev.sluice.core.CborSerializable;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Joins this node of a replicated cluster to the running cluster, or forms a new one when a
 * majority of the configured nodes run and none is a member ({@link Formation} decides; this actor
 * asks and acts). Every node runs it at {@code /system/sluice-formation} and answers every probe,
 * as a member or not, for as long as it runs.
 *
 * <p>Once Up it keeps asking, to notice a second cluster ({@link SplitCheck}): each answer carries the
 * members its node sees. A node whose cluster should give way logs why and shuts down with exit code
 * -1 ({@link LeftSecondCluster}), so a supervisor restarts it and its formation joins the other
 * cluster; the nodes that stay log a warning. With {@code sluice.cluster.formation.enabled = off} the
 * actor answers and checks but never joins or forms: the embedding application or an operator joins
 * the node (tests use it to build a second cluster on purpose).
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
  record Answer(int ordinal, boolean member, int candidate, long members) implements Command, CborSerializable {}

  /**
   * The shutdown reason of a node that left because its cluster was the one of two to give way; exit
   * code -1 (sluice/replicated.conf), so a supervisor that restarts on failure restarts it.
   */
  enum LeftSecondCluster implements CoordinatedShutdown.Reason { INSTANCE }

  private enum Round implements Command { INSTANCE }

  /** Starts the actor on {@code system}: node {@code ordinal} of {@code nodes} (host:port of each Artery endpoint). */
  static void start(ActorSystem<?> system, List<String> nodes, int ordinal, boolean joins) {
    system.systemActorOf(behavior(nodes, ordinal, joins), NAME, Props.empty());
  }

  static Behavior<Command> behavior(List<String> nodes, int ordinal, boolean joins) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay(Round.INSTANCE, Round.INSTANCE, ROUND);
      return new Running(ctx, nodes, ordinal, joins).behavior();
    }));
  }

  private static final class Running {
    private final ActorContext<Command> ctx;
    private final Cluster cluster;
    private final List<String> nodes;
    private final List<ActorRef<Probe>> peers;
    private final int self;
    private final boolean joins;
    private final Formation formation;
    private final SplitCheck splitCheck;
    private Formation.Seen[] seen;
    private int[] candidates;
    private long[] members;
    private String lastWhy = "";
    private int roundsSinceJoin = -1;
    private boolean reportedUp;
    private SplitCheck.Verdict lastVerdict = new SplitCheck.Fine();

    Running(ActorContext<Command> ctx, List<String> nodes, int self, boolean joins) {
      this.ctx = ctx;
      this.cluster = Cluster.get(ctx.getSystem());
      this.nodes = nodes;
      this.self = self;
      this.joins = joins;
      this.formation = new Formation(self, nodes.size());
      this.splitCheck = new SplitCheck(self, nodes.size());
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
      members = new long[peers.size()];
    }

    /** The configured nodes this node sees as members of its cluster (bit i = ordinal i); 0 while it is not Up. */
    private long memberSet() {
      if (!up()) return 0;
      long set = 0;
      for (Member m : cluster.state().getMembers()) {
        MemberStatus s = m.status();
        if (s != MemberStatus.joining() && s != MemberStatus.weaklyUp() && s != MemberStatus.up()
            && s != MemberStatus.leaving()) continue;
        Address a = m.address();
        if (a.host().isEmpty() || a.port().isEmpty()) continue;
        int i = nodes.indexOf(a.host().get() + ":" + a.port().get());
        if (i >= 0) set |= SplitCheck.bit(i);
      }
      return set;
    }

    private boolean up() {
      var status = cluster.selfMember().status();
      return status == MemberStatus.up() || status == MemberStatus.weaklyUp();
    }

    Behavior<Command> behavior() {
      return Behaviors.receive(Command.class)
          .onMessage(Probe.class, p -> {
            p.replyTo().tell(new Answer(self, up(), formation.candidate(), memberSet()));
            return Behaviors.same();
          })
          .onMessage(Answer.class, a -> {
            if (a.ordinal() >= 0 && a.ordinal() < seen.length && a.ordinal() != self) {
              seen[a.ordinal()] = a.member() ? Formation.Seen.MEMBER : Formation.Seen.ALONE;
              candidates[a.ordinal()] = a.candidate();
              members[a.ordinal()] = a.members();
            }
            return Behaviors.same();
          })
          .onMessage(Round.class, r -> round())
          .build();
    }

    private Behavior<Command> round() {
      // Act on the answers of the round that just ended, then ask again.
      if (up()) {
        if (!reportedUp) {
          LOG.info("cluster formation: this node is Up in {}", cluster.state().getMembers());
          reportedUp = true;
        }
        checkForSecondCluster();
      } else if (joins) {
        form();
      }
      fresh();
      for (int i = 0; i < peers.size(); i++) {
        if (i != self) peers.get(i).tell(new Probe(self, ctx.getSelf().narrow()));
      }
      return Behaviors.same();
    }

    private void checkForSecondCluster() {
      SplitCheck.Verdict verdict = splitCheck.next(memberSet(), members);
      if (verdict.equals(lastVerdict)) return;
      lastVerdict = verdict;
      if (verdict instanceof SplitCheck.Split split) {
        String mine = ordinals(split.mine());
        String theirs = ordinals(split.theirs());
        if (split.leave()) {
          LOG.error("cluster formation: node {} runs a second cluster with nodes {}, which does not know this cluster of"
              + " nodes {}; the two fence each other's stream owners, so writes fail on both. This cluster is the one"
              + " to give way (fewer members, or as many and not the lowest ordinal): this node shuts down (exit code"
              + " -1). Restart it (a supervisor that restarts on failure does): it then joins the cluster of nodes {}.",
              split.other(), theirs, mine, theirs);
          CoordinatedShutdown.get(ctx.getSystem()).run(LeftSecondCluster.INSTANCE);
        } else {
          LOG.warn("cluster formation: node {} runs a second cluster with nodes {}, next to this cluster of nodes {}."
              + " That cluster gives way: its nodes shut down by themselves and join this one when restarted.",
              split.other(), theirs, mine);
        }
      } else {
        LOG.info("cluster formation: no second cluster seen any more");
      }
    }

    private String ordinals(long set) {
      StringBuilder b = new StringBuilder("[");
      for (int i = 0; i < nodes.size(); i++) {
        if ((set & SplitCheck.bit(i)) != 0) b.append(b.length() > 1 ? ", " : "").append(i).append(" (").append(nodes.get(i)).append(')');
      }
      return b.append(']').toString();
    }

    private void form() {
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
    }
  }

  /** Rounds a join may take before the node asks again (a join to a node that went away is lost). */
  static final int JOIN_PATIENCE_ROUNDS = 20;
}
