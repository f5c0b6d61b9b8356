package dev.sluice.actors.tail;

import dev.sluice.core.model.StreamEvent;
import dev.sluice.core.spi.DataUnit;
import java.util.ArrayList;
import java.util.List;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Node-local wake-up hub for live readers (long-poll and SSE): the readers waiting on each stream
 * path, woken by the stream's entity after every durable change (docs/design.md "Read path"). An
 * append costs one future completion per waiting reader on the node, not one message per client.
 *
 * <p>Use: {@link #listen} first, then look at the stream's state, and only then wait on the
 * {@link Waiter} (or cancel it); a change between the two is never missed because the waiter was
 * already registered. Memory is one small waiter per reader that is waiting right now; a path
 * without waiters holds nothing, and an idle one costs no CPU. {@link Waiter#last()} is the last change published while someone was listening: a reader whose
 * position it confirms as the tail may wait without asking the entity, and one it shows behind
 * gets the new tail (and, usually, the new bytes: {@link TailUpdate#units()}) without a store
 * read. With 1,000 SSE subscribers that saves 1,000 entity asks and 1,000 RocksDB reads per append.
 *
 * <p>Thread-safe.
 */
public final class TailHub {
  /**
   * What changed: the committed tail of the incarnation {@code storeId}, or that the path is gone.
   * {@code units} are the units this change appended to {@code storeId}, in order, the last one
   * ending at {@code tail}; empty when there were none (or they are not known).
   */
  public record TailUpdate(long storeId, long tail, boolean closed, boolean gone, List<DataUnit> units)
      implements dev.sluice.core.CborSerializable {
    /** A wake-up without a change: waiters re-check the stream (see {@link #listen}). */
    public static final TailUpdate SPURIOUS = new TailUpdate(-1, -1, false, false, List.of());

    public TailUpdate {
      units = List.copyOf(units);
    }

    public boolean isSpurious() {
      return this == SPURIOUS;
    }

    /** A real change of incarnation {@code storeId} that still exists, with its tail at or past {@code pos}. */
    public boolean reaches(long storeId, long pos) {
      return !isSpurious() && !gone && this.storeId == storeId && tail >= pos;
    }

    /** A real change that moves a reader at {@code pos} of {@code storeId}: new data, or the close. */
    public boolean advances(long storeId, long pos) {
      return reaches(storeId, pos) && (tail > pos || closed);
    }

    /** The units from {@code pos} to the tail, if this update holds them all; else null (read the store). */
    public List<DataUnit> unitsFrom(long pos) {
      for (int i = 0; i < units.size(); i++) {
        if (units.get(i).position() == pos) return units.subList(i, units.size());
      }
      return null;
    }
  }

  /**
   * One reader's registration for the next change of a path, taken by {@link #listen} BEFORE the
   * reader looks at the stream, so a change between the look and the wait is never missed. The
   * reader then either {@linkplain #await waits} on it or {@linkplain #cancel cancels} it; both
   * deregister it, so the hub holds exactly the readers that are waiting right now.
   *
   * <p>Each waiter has its own future. Sharing one future among all readers of a path made every
   * timed-out wait stay attached to it until the next change: idle streams accumulated dead
   * dependents without bound (the old cap of 4,096 completed the shared future "spuriously" to
   * shed them, which woke every reader, each of which re-registered: a busy loop that grew a
   * future chain per reader, 700 MB with 5,000 SSE readers).
   */
  public static final class Waiter {
    private final Slot slot;
    private final TailUpdate last;
    private final CompletableFuture<TailUpdate> next = new CompletableFuture<>();

    private Waiter(Slot slot, TailUpdate last) {
      this.slot = slot;
      this.last = last;
    }

    /** The last change published while someone was listening (null if unknown). */
    public TailUpdate last() {
      return last;
    }

    /**
     * The next change, or {@code null} once {@code timeout} passes without one (the waiter is then
     * deregistered). Call at most once.
     */
    public CompletableFuture<TailUpdate> await(Duration timeout) {
      next.completeOnTimeout(null, Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS)
          .whenComplete((u, err) -> {
            if (u == null) slot.remove(this);
          });
      return next;
    }

    /** Not going to wait after all: deregister now. */
    public void cancel() {
      slot.remove(this);
      next.complete(null);
    }

    /** For tests: the future itself, without a timeout. */
    CompletableFuture<TailUpdate> future() {
      return next;
    }
  }

  /** The units of {@code storeId} that {@code events} append, if they end exactly at {@code tail}. */
  public static List<DataUnit> unitsOf(List<? extends StreamEvent> events, long storeId, long tail) {
    List<DataUnit> units = null;
    for (StreamEvent e : events) {
      if (e instanceof StreamEvent.Appended a && a.storeId() == storeId && a.data() != null) {
        if (units == null) units = new ArrayList<>(events.size());
        units.add(new DataUnit(a.position(), a.data()));
      }
    }
    if (units == null || units.get(units.size() - 1).end() != tail) return List.of();
    return units;
  }

  /** The waiters of one path and its last change; guarded by itself. */
  private static final class Slot {
    /** Insertion-ordered so wake-ups follow registration order; identity semantics (no equals). */
    Set<Waiter> waiters = new LinkedHashSet<>();
    TailUpdate last;
    /** Set when the slot left the map: listeners must take a fresh one. */
    boolean dropped;

    synchronized void remove(Waiter w) {
      waiters.remove(w);
    }
  }

  private final ConcurrentHashMap<String, Slot> slots = new ConcurrentHashMap<>();
  private volatile boolean closing;
  /** Told of every change published on this node (subscriptions' match index); null: none. */
  private volatile java.util.function.BiConsumer<String, TailUpdate> changeListener;

  /**
   * Registers the one listener told of every published change, before the path's readers are
   * woken. It runs on the stream entity's thread, so it must only do a cheap lookup and hand off.
   */
  public void setChangeListener(java.util.function.BiConsumer<String, TailUpdate> listener) {
    this.changeListener = listener;
  }

  /** Registers for the next change of {@code path}; see {@link Waiter}. */
  public Waiter listen(String path) {
    while (true) {
      Slot slot = slots.computeIfAbsent(path, p -> new Slot());
      synchronized (slot) {
        if (slot.dropped) continue; // dropped by publish meanwhile: take the new one
        Waiter w = new Waiter(slot, slot.last);
        if (closing) {
          w.next.complete(TailUpdate.SPURIOUS);
        } else {
          slot.waiters.add(w);
        }
        return w;
      }
    }
  }

  /**
   * The node is shutting down: wake every waiter and make later waits return at once, so
   * long-polls answer 204 and SSE responses end instead of holding CoordinatedShutdown's
   * "service-requests-done" phase until their timeouts (a client that went away is never noticed).
   */
  public void shutdown() {
    closing = true;
    for (String path : slots.keySet()) {
      Slot slot = slots.remove(path);
      if (slot == null) continue;
      List<Waiter> woken;
      synchronized (slot) {
        slot.dropped = true;
        woken = new ArrayList<>(slot.waiters);
        slot.waiters.clear();
      }
      woken.forEach(w -> w.next.complete(TailUpdate.SPURIOUS));
    }
  }

  public boolean isClosing() {
    return closing;
  }

  /**
   * Called by the entity after a change is durable (never before: readers see committed data only),
   * in the order the changes were made. When nobody is waiting the path's slot is dropped, so only
   * streams with live readers cost memory; their next reader asks the entity once.
   */
  public void publish(String path, TailUpdate update) {
    var listener = changeListener;
    if (listener != null) listener.accept(path, update);
    wakeReaders(path, update);
  }

  /**
   * A change of a stream owned on another node, relayed here by its owner for this node's live
   * readers ({@link TailRelay}). Only the readers are woken: the change listener was told on the
   * owner's node, and telling it again on every node with a reader would hand the same change to
   * the same subscriptions once more per such node.
   */
  public void publishRelayed(String path, TailUpdate update) {
    wakeReaders(path, update);
  }

  private void wakeReaders(String path, TailUpdate update) {
    Slot slot = slots.get(path);
    if (slot == null) return;
    Set<Waiter> woken;
    synchronized (slot) {
      woken = slot.waiters;
      if (woken.isEmpty()) {
        slot.dropped = true;
        slots.remove(path, slot);
        return;
      }
      slot.last = update;
      slot.waiters = new LinkedHashSet<>();
    }
    for (Waiter w : woken) w.next.complete(update);
  }

  /** Readers registered on {@code path} right now (for metrics and tests). */
  public int waiters(String path) {
    Slot slot = slots.get(path);
    if (slot == null) return 0;
    synchronized (slot) {
      return slot.waiters.size();
    }
  }

  /** Number of paths with live readers (for metrics and tests). */
  public int activePaths() {
    return slots.size();
  }
}
