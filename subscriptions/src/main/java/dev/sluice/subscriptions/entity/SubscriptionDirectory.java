package dev.sluice.subscriptions.entity;

import dev.sluice.core.CborSerializable;
import dev.sluice.subscriptions.rules.SigningKey;
import java.util.List;
import java.util.TreeSet;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;

/**
 * The node cluster's subscription directory, one sharded entity on the journal: the ids of every
 * subscription (so a starting node can index them all before the first append, instead of
 * scanning) and the webhook signing key, generated once and kept for good (checklist §15
 * "GET __ds/jwks.json"). Registration is written before a subscription's own creation, so after
 * a crash the directory may name an id whose entity holds nothing: such ids are skipped.
 */
public final class SubscriptionDirectory
    extends EventSourcedBehavior<SubscriptionDirectory.Command, SubscriptionDirectory.Event, SubscriptionDirectory.State> {
  public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "sluice-subscription-directory");
  public static final String ENTITY_ID = "directory";

  public sealed interface Command extends CborSerializable {}
  public record Register(String id, ActorRef<Done> replyTo) implements Command {}
  public record Unregister(String id, ActorRef<Done> replyTo) implements Command {}
  /** The key (created now if there is none yet) and every registered id. */
  public record Load(ActorRef<Loaded> replyTo) implements Command {}
  public record Loaded(byte[] privatePkcs8, byte[] publicX509, List<String> ids) implements CborSerializable {}

  public sealed interface Event extends CborSerializable {}
  public record KeyCreated(byte[] privatePkcs8, byte[] publicX509) implements Event {}
  public record Registered(String id) implements Event {}
  public record Unregistered(String id) implements Event {}

  /** Mutable, owned by the entity. */
  public static final class State {
    byte[] privatePkcs8;
    byte[] publicX509;
    final TreeSet<String> ids = new TreeSet<>();
  }

  public static Behavior<Command> create(String entityId) {
    return Behaviors.setup(ctx -> new SubscriptionDirectory(entityId));
  }

  private SubscriptionDirectory(String entityId) {
    super(PersistenceId.of("subscription-directory", entityId, "|"));
  }

  @Override
  public State emptyState() {
    return new State();
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent((s, e) -> {
      if (e instanceof KeyCreated k) {
        if (s.privatePkcs8 == null) {
          s.privatePkcs8 = k.privatePkcs8();
          s.publicX509 = k.publicX509();
        }
      } else if (e instanceof Registered r) {
        s.ids.add(r.id());
      } else if (e instanceof Unregistered u) {
        s.ids.remove(u.id());
      }
      return s;
    });
  }

  @Override
  public CommandHandler<Command, Event, State> commandHandler() {
    return newCommandHandlerBuilder().forAnyState().onAnyCommand((s, c) -> {
      if (c instanceof Register r) {
        if (s.ids.contains(r.id())) return Effect().none().thenRun(x -> r.replyTo().tell(Done.getInstance()));
        return Effect().persist(new Registered(r.id())).thenRun(x -> r.replyTo().tell(Done.getInstance()));
      }
      if (c instanceof Unregister u) {
        if (!s.ids.contains(u.id())) return Effect().none().thenRun(x -> u.replyTo().tell(Done.getInstance()));
        return Effect().persist(new Unregistered(u.id())).thenRun(x -> u.replyTo().tell(Done.getInstance()));
      }
      var load = (Load) c;
      if (s.privatePkcs8 == null) {
        var key = SigningKey.generate();
        return Effect().persist(new KeyCreated(key.privatePkcs8(), key.publicX509())).thenRun(x -> load.replyTo().tell(loaded(x)));
      }
      return Effect().none().thenRun(x -> load.replyTo().tell(loaded(x)));
    });
  }

  private static Loaded loaded(State s) {
    return new Loaded(s.privatePkcs8, s.publicX509, List.copyOf(s.ids));
  }
}
