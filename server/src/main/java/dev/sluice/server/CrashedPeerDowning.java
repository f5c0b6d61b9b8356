package dev.sluice.server;

import dev.sluice.cluster.CrashDowningSettings;
import dev.sluice.cluster.CrashedPeers;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.remote.RemoteActorRefProvider;
import scala.Option;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Down;
import com.typesafe.config.Config;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Downs a member of a replicated cluster as soon as its process is gone: the thin actor around
 * {@link CrashedPeers}, which says why a refused connection is proof and when downing is allowed.
 * Every {@code interval} it connects to each other Up member's remoting port (on the blocking-IO
 * dispatcher, each connect bounded by {@code connect-timeout}) and closes the socket at once; the
 * remoting layer ignores such a connection. Runs at {@code /system/sluice-crash-downing}.
 */
final class CrashedPeerDowning {
  private CrashedPeerDowning() {}

  static final String NAME = "sluice-crash-downing";
  private static final Logger LOG = LoggerFactory.getLogger(CrashedPeerDowning.class);

  interface Command {}

  private enum Tick implements Command { INSTANCE }

  private record Probed(Address member, CrashedPeers.Probe probe) implements Command {}

  /** Starts the actor if {@code sluice.cluster.crash-downing.enabled}. */
  static void start(ActorSystem<?> system, Config config, String blockingDispatcher) {
    CrashDowningSettings settings = CrashDowningSettings.fromConfig(config);
    String off = offBecause(settings, config.getString("pekko.remote.artery.transport"));
    if (off != null) {
      LOG.info("Crash downing is off: {}", off);
      return;
    }
    Duration interval = settings.interval();
    int timeoutMs = (int) settings.connectTimeout().toMillis();
    int refusals = settings.refusals();
    // Probes leave from where Artery's own outbound connections do (empty: the system's choice).
    String source = config.getString("pekko.remote.artery.advanced.tcp.outbound-client-hostname");
    system.systemActorOf(Behaviors.<Command>setup(ctx -> Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay(Tick.INSTANCE, interval);
      Executor io = ctx.getSystem().dispatchers().lookup(DispatcherSelector.fromConfig(blockingDispatcher));
      return running(ctx, new CrashedPeers(refusals), timeoutMs, source, io);
    })), NAME, Props.empty());
  }

  /** Why crash downing does not run with {@code config}, or null when it does. */
  static String offBecause(Config config) {
    return offBecause(CrashDowningSettings.fromConfig(config), config.getString("pekko.remote.artery.transport"));
  }

  private static String offBecause(CrashDowningSettings settings, String transport) {
    if (!settings.enabled()) return "sluice.cluster.crash-downing.enabled = off";
    // A bare connect-and-close is silent on plain TCP; over TLS every probe would be a failed
    // handshake in the peer's log. Such clusters keep the failure detector's path.
    if (!"tcp".equals(transport)) return "it probes plain-TCP remoting ports, and pekko.remote.artery.transport is " + transport;
    return null;
  }

  private static Behavior<Command> running(ActorContext<Command> ctx, CrashedPeers peers, int timeoutMs, String source,
                                           Executor io) {
    Cluster cluster = Cluster.get(ctx.getSystem());
    RemoteActorRefProvider remoting = (RemoteActorRefProvider) ((ExtendedActorSystem) Adapter.toClassic(ctx.getSystem())).provider();
    // Downed by this node and not yet seen Down: not told (or logged) again on every probe.
    Set<Address> told = new HashSet<>();
    return Behaviors.receive(Command.class)
        .onMessageEquals(Tick.INSTANCE, () -> {
          for (Member m : others(cluster)) {
            Address a = m.address();
            ctx.pipeToSelf(CompletableFuture.supplyAsync(() -> probe(a, timeoutMs, source), io),
                (probe, failure) -> new Probed(a, failure == null ? probe : CrashedPeers.Probe.INCONCLUSIVE));
          }
          return Behaviors.same();
        })
        .onMessage(Probed.class, p -> {
          peers.observe(p.member().toString(), p.probe());
          List<Member> up = others(cluster);
          List<String> others = up.stream().map(m -> m.address().toString()).toList();
          int members = 0;
          for (Member m : cluster.state().getMembers()) {
            if (m.status() != MemberStatus.down() && m.status() != MemberStatus.removed()) members++;
          }
          Set<String> crashed = peers.toDown(others, members);
          told.retainAll(up.stream().map(Member::address).toList());
          for (Member m : up) {
            if (crashed.contains(m.address().toString()) && told.add(m.address())) {
              LOG.warn("Member {} has no process any more: its remoting port refused {} connections in a row;"
                  + " downing it now rather than after the failure detector and the split brain resolver", m.address(),
                  peers.refusals(m.address().toString()));
              cluster.manager().tell(new Down(m.address()));
              // The leader removes a Down member only once it is unreachable or terminated, and the
              // failure detector takes over a second to say so. Quarantining the dead incarnation (its
              // uid: a restarted process on the same port is a new one and unaffected) marks it
              // terminated at once.
              remoting.quarantine(m.address(), Option.apply((Object) m.uniqueAddress().longUid()),
                  "its process is gone (remoting port refuses connections)");
            }
          }
          return Behaviors.same();
        })
        .build();
  }

  /** The other members that are Up or WeaklyUp: the ones a crash leaves waiting for failure detection. */
  private static List<Member> others(Cluster cluster) {
    List<Member> out = new ArrayList<>();
    Address self = cluster.selfMember().address();
    for (Member m : cluster.state().getMembers()) {
      if (m.address().equals(self)) continue;
      if (m.status() == MemberStatus.up() || m.status() == MemberStatus.weaklyUp()) out.add(m);
    }
    return out;
  }

  private static CrashedPeers.Probe probe(Address member, int timeoutMs, String source) {
    if (member.host().isEmpty() || member.port().isEmpty()) return CrashedPeers.Probe.INCONCLUSIVE;
    try (Socket s = new Socket()) {
      if (!source.isEmpty()) s.bind(new InetSocketAddress(source, 0));
      s.connect(new InetSocketAddress(member.host().get(), (Integer) member.port().get()), timeoutMs);
      return CrashedPeers.Probe.ACCEPTED;
    } catch (ConnectException refused) {
      // "Connection refused" (the host answered with a reset); a connect timeout is a SocketTimeoutException.
      return refused.getMessage() != null && refused.getMessage().contains("refused")
          ? CrashedPeers.Probe.REFUSED : CrashedPeers.Probe.INCONCLUSIVE;
    } catch (IOException | RuntimeException other) {
      return CrashedPeers.Probe.INCONCLUSIVE;
    }
  }
}
