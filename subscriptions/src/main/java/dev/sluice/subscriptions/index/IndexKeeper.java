package dev.sluice.subscriptions.index;

import dev.sluice.core.CborSerializable;
import dev.sluice.subscriptions.rules.IndexEntries;
import dev.sluice.subscriptions.rules.IndexEntries.Entry;
import dev.sluice.subscriptions.rules.PatternIndex;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.pekko.Done;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * One per node: keeps every subscription's definition (pattern and explicit streams) of the whole
 * cluster, so that the node that owns a stream matches its changes locally, whichever node the
 * subscription entity runs on (checklist §15 on a replicated cluster). The keepers find each other
 * through the cluster receptionist and at a fixed path ({@link #NAME}) on every member.
 *
 * <p>A definition changes only through its entity, which {@link Publish}es it on its node: the
 * keeper applies it, sends it to every peer keeper it knows and to the keeper path of every member
 * that is Up (the receptionist's listing lags behind a forming cluster), and answers once they all acknowledged
 * (or after {@code ackTimeout}, when a peer is gone but not yet out of the listing), so an API call
 * answers after every node matches with the new definition. A keeper that appears later (a node
 * that starts or restarts) is sent the whole map by each keeper that learns of it; as a keeper
 * applies its own publishes before it can learn of a new peer, a definition published while a peer
 * was still unknown reaches it with that map. Versions make repeats and reordering harmless
 * ({@link IndexEntries}). There is no polling: messages flow only when a definition or the set of
 * keepers changes.
 */
public final class IndexKeeper {
  private IndexKeeper() {}

  public static final ServiceKey<Command> KEY = ServiceKey.create(Command.class, "sluice-subscription-index");
  /** Spawned as a system actor of this name on every node. */
  public static final String NAME = "sluice-subscription-index";

  public sealed interface Command extends CborSerializable {}

  /** From this node's entity: apply {@code entry} everywhere, then answer {@code replyTo}. */
  public record Publish(Entry entry, ActorRef<Done> replyTo) implements Command {}

  /** From a peer keeper: apply these; acknowledge to {@code ackTo} unless it is null. */
  public record Apply(List<Entry> entries, ActorRef<Done> ackTo) implements Command {}

  private record Peers(Set<ActorRef<Command>> keepers) implements Command {}

  /**
   * {@code onIndex} gets each new match index, {@code onPeerLost} runs when a peer keeper (a node)
   * is gone (both on the keeper's thread).
   */
  public static Behavior<Command> create(Consumer<PatternIndex> onIndex, Runnable onPeerLost, Duration ackTimeout) {
    return Behaviors.setup(ctx -> {
      ctx.getSystem().receptionist().tell(Receptionist.register(KEY, ctx.getSelf()));
      ActorRef<Receptionist.Listing> listings = ctx.messageAdapter(Receptionist.Listing.class,
          l -> new Peers(Set.copyOf(l.getServiceInstances(KEY))));
      ctx.getSystem().receptionist().tell(Receptionist.subscribe(KEY, listings));
      return running(ctx, onIndex, onPeerLost, ackTimeout, new IndexEntries(), Set.of());
    });
  }

  private static Behavior<Command> running(ActorContext<Command> ctx, Consumer<PatternIndex> onIndex, Runnable onPeerLost,
                                           Duration ackTimeout, IndexEntries entries, Set<ActorRef<Command>> peers) {
    return Behaviors.receive(Command.class)
        .onMessage(Publish.class, p -> {
          if (entries.apply(p.entry())) onIndex.accept(entries.index());
          var targets = targets(ctx, peers);
          if (targets.isEmpty()) {
            p.replyTo().tell(Done.getInstance());
          } else {
            ActorRef<Done> acks = ctx.spawnAnonymous(AckCounter.create(targets.size(), p.replyTo(), ackTimeout));
            for (var peer : targets) peer.tell(new Apply(List.of(p.entry()), acks));
          }
          return Behaviors.same();
        })
        .onMessage(Apply.class, a -> {
          if (entries.applyAll(a.entries())) onIndex.accept(entries.index());
          if (a.ackTo() != null) a.ackTo().tell(Done.getInstance());
          return Behaviors.same();
        })
        .onMessage(Peers.class, l -> {
          Set<ActorRef<Command>> now = new HashSet<>(l.keepers());
          now.remove(ctx.getSelf());
          List<Entry> all = entries.all();
          if (!all.isEmpty()) {
            for (var peer : now) {
              if (!peers.contains(peer)) peer.tell(new Apply(all, null));
            }
          }
          if (!now.containsAll(peers)) onPeerLost.run();
          return running(ctx, onIndex, onPeerLost, ackTimeout, entries, Set.copyOf(now));
        })
        .build();
  }

  /** The listed peers, and the keeper path of each other Up member not among them (one per node). */
  private static List<ActorRef<Command>> targets(ActorContext<Command> ctx, Set<ActorRef<Command>> peers) {
    var out = new java.util.ArrayList<>(peers);
    var listed = new HashSet<Address>();
    for (var peer : peers) listed.add(peer.path().address());
    Cluster cluster = Cluster.get(ctx.getSystem());
    Address self = cluster.selfMember().address();
    var resolver = ActorRefResolver.get(ctx.getSystem());
    for (Member m : cluster.state().getMembers()) {
      boolean up = m.status() == MemberStatus.up() || m.status() == MemberStatus.weaklyUp();
      if (!up || m.address().equals(self) || listed.contains(m.address())) continue;
      out.add(resolver.resolveActorRef(m.address() + "/system/" + NAME));
    }
    return out;
  }

  /** Answers {@code replyTo} after {@code expected} acknowledgements or after {@code timeout}, whichever is first. */
  static final class AckCounter {
    private AckCounter() {}

    private enum Timeout { INSTANCE }

    static Behavior<Done> create(int expected, ActorRef<Done> replyTo, Duration timeout) {
      return Behaviors.<Object>setup(ctx -> Behaviors.withTimers(timers -> {
        timers.startSingleTimer(Timeout.INSTANCE, timeout);
        int[] left = {expected};
        return Behaviors.receiveMessage(m -> {
          if (m == Timeout.INSTANCE) {
            ctx.getLog().info("subscription index: {} of {} nodes did not acknowledge within {}", left[0], expected, timeout);
          } else if (--left[0] > 0) {
            return Behaviors.same();
          }
          replyTo.tell(Done.getInstance());
          return Behaviors.stopped();
        });
      })).narrow();
    }
  }
}
