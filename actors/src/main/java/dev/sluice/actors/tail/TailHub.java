package dev.sluice.actors.tail;

import dev.sluice.core.model.StreamEvent;
import dev.sluice.core.spi.DataUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Node-local wake-up hub for live readers (long-poll and SSE): one pending future per stream path,
 * completed by the stream's entity after every durable change (ARCHITECTURE.md "Reads and live
 * tailing"). Thousands of waiters of one stream share one future, so an append costs one
 * completion per node, not one message per client.
 *
 * <p>Use: {@link #listen} first, then look at the stream's state, and only then wait on the
 * future; a change between the two is never missed because the future was already registered.
 * {@link Wait#last()} is the last change published while someone was listening: a reader whose
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
  public record TailUpdate(long storeId, long tail, boolean closed, boolean gone, List<DataUnit> units) {
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

  /** The future of the next change and the last change published before it (null if unknown). */
  public record Wait(CompletableFuture<TailUpdate> next, TailUpdate last) {}

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

  /**
   * A waiter that times out stays attached to the shared future until it completes. On a stream
   * that sees no writes, long-polls would pile up; past this many dependents the future is
   * completed spuriously and replaced, which lets the dead ones go.
   */
  private static final int MAX_DEPENDENTS = 4096;

  /** Guarded by itself. */
  private static final class Slot {
    CompletableFuture<TailUpdate> next = new CompletableFuture<>();
    TailUpdate last;
  }

  private final ConcurrentHashMap<String, Slot> slots = new ConcurrentHashMap<>();
  private volatile boolean closing;

  /** The future completed by the next change of {@code path}, with the last change seen before it. */
  public Wait listen(String path) {
    while (true) {
      Slot slot = slots.computeIfAbsent(path, p -> new Slot());
      CompletableFuture<TailUpdate> overfull = null;
      Wait w;
      synchronized (slot) {
        if (slots.get(path) != slot) continue; // dropped by publish meanwhile: take the new one
        if (slot.next.getNumberOfDependents() > MAX_DEPENDENTS) {
          overfull = slot.next;
          slot.next = new CompletableFuture<>();
        }
        w = new Wait(slot.next, slot.last);
      }
      if (overfull != null) overfull.complete(TailUpdate.SPURIOUS);
      return w;
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
      CompletableFuture<TailUpdate> f;
      synchronized (slot) {
        f = slot.next;
      }
      f.complete(TailUpdate.SPURIOUS);
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
    Slot slot = slots.get(path);
    if (slot == null) return;
    CompletableFuture<TailUpdate> f;
    synchronized (slot) {
      f = slot.next;
      if (f.getNumberOfDependents() == 0) {
        slots.remove(path, slot);
      } else {
        slot.last = update;
        slot.next = new CompletableFuture<>();
      }
    }
    f.complete(update);
  }

  /** Number of paths with live readers (for metrics and tests). */
  public int activePaths() {
    return slots.size();
  }
}
