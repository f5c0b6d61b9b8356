package dev.sluice.persistence.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sluice.core.CborSerializable;
import dev.sluice.core.spi.DataUnit;
import dev.sluice.persistence.rocksdb.RocksDbStorage;
import dev.sluice.persistence.support.TestEvents.Appended;
import dev.sluice.persistence.support.TestStorage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.japi.function.Function;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The plugins under Pekko's typed {@code EventSourcedBehavior}, as the actors module uses them:
 * tagged events, snapshots with retention (which deletes events and old snapshots), and recovery
 * in a new ActorSystem on the same directory.
 */
class TypedPersistenceIntegrationTest {
  private Path dir;

  @BeforeEach
  void newDir() {
    dir = TestStorage.newDir("typed");
  }

  @AfterEach
  void deleteDir() {
    TestStorage.deleteRecursively(dir);
  }

  /** Appends texts as data units of store 1; snapshots every 2 events. */
  static final class Recorder extends EventSourcedBehavior<Recorder.Command, Appended, Recorder.Recorded> {
    sealed interface Command {}

    record Append(String text, ActorRef<Done> replyTo) implements Command {}

    record Get(ActorRef<Recorded> replyTo) implements Command {}

    record Recorded(List<String> texts, long nextPosition) implements CborSerializable {}

    static Behavior<Command> create(String id) {
      return new Recorder(PersistenceId.ofUniqueId(id));
    }

    private Recorder(PersistenceId id) {
      super(id);
    }

    @Override
    public Recorded emptyState() {
      return new Recorded(List.of(), 0);
    }

    @Override
    public CommandHandler<Command, Appended, Recorded> commandHandler() {
      return newCommandHandlerBuilder().forAnyState()
          .onCommand(Append.class, (state, cmd) -> Effect()
              .persist(Appended.utf8(1, state.nextPosition(), cmd.text()))
              .thenReply(cmd.replyTo(), s -> Done.getInstance()))
          .onCommand(Get.class, (state, cmd) -> Effect().reply(cmd.replyTo(), state))
          .build();
    }

    @Override
    public EventHandler<Recorded, Appended> eventHandler() {
      return newEventHandlerBuilder().forAnyState()
          .onEvent(Appended.class, (state, e) -> {
            List<String> texts = new ArrayList<>(state.texts());
            texts.add(e.data().utf8String());
            return new Recorded(List.copyOf(texts), e.position() + e.data().length());
          })
          .build();
    }

    @Override
    public Set<String> tagsFor(Appended event) {
      return Set.of("recorded"); // arrives at the journal wrapped in Tagged
    }

    @Override
    public RetentionCriteria retentionCriteria() {
      return RetentionCriteria.snapshotEvery(2, 1).withDeleteEventsOnSnapshot();
    }
  }

  private static <T> T ask(ActorSystem<Recorder.Command> system, Function<ActorRef<T>, Recorder.Command> msg)
      throws Exception {
    return AskPattern.ask(system, msg::apply, Duration.ofSeconds(10), system.scheduler())
        .toCompletableFuture().get(15, TimeUnit.SECONDS);
  }

  @Test
  void aTypedEntityRecoversItsStateAndDataAfterARestart() throws Exception {
    ActorSystem<Recorder.Command> first = ActorSystem.create(Recorder.create("rec"), "typed-1", TestStorage.config(dir));
    try {
      for (String t : List.of("ab", "cde", "f", "gh", "ijk")) {
        ask(first, (ActorRef<Done> r) -> new Recorder.Append(t, r));
      }
    } finally {
      first.terminate();
      first.getWhenTerminated().toCompletableFuture().get(15, TimeUnit.SECONDS);
    }

    ActorSystem<Recorder.Command> second = ActorSystem.create(Recorder.create("rec"), "typed-2", TestStorage.config(dir));
    try {
      Recorder.Recorded state = ask(second, Recorder.Get::new);
      assertEquals(List.of("ab", "cde", "f", "gh", "ijk"), state.texts());
      assertEquals(11, state.nextPosition());
      ask(second, (ActorRef<Done> r) -> new Recorder.Append("l", r));
      List<DataUnit> units = RocksDbStorage.get(second).dataStore().read(1, 0, Long.MAX_VALUE, 1 << 20);
      assertEquals(List.of("ab", "cde", "f", "gh", "ijk", "l"),
          units.stream().map(u -> u.data().utf8String()).toList());
      assertEquals(List.of(0L, 2L, 5L, 6L, 8L, 11L), units.stream().map(DataUnit::position).toList());
    } finally {
      second.terminate();
      second.getWhenTerminated().toCompletableFuture().get(15, TimeUnit.SECONDS);
    }
  }
}
