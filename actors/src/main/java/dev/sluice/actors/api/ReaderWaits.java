package dev.sluice.actors.api;

import dev.sluice.actors.tail.TailHub;

/**
 * The hub registrations of ONE live reader (one materialized tail), so that the reader's end
 * deregisters its pending wait at once. Without it a reader that disconnected while idle kept its
 * waiter, and through the waiter's callbacks its whole connection, until the next change or its
 * keep-alive timeout: with thousands of readers coming and going, that is memory held for nothing.
 *
 * <p>Thread-safe.
 */
final class ReaderWaits {
  /** For one-shot waits (long-poll) that have no stream to end them early. */
  static final ReaderWaits NONE = new ReaderWaits();

  private TailHub.Waiter current;
  private boolean ended;

  /** {@link TailHub#listen}, remembered as this reader's pending wait (cancelled if it already ended). */
  TailHub.Waiter listen(TailHub hub, String path) {
    TailHub.Waiter w = hub.listen(path);
    boolean cancel;
    synchronized (this) {
      cancel = ended;
      if (!ended && this != NONE) current = w;
    }
    if (cancel) w.cancel();
    return w;
  }

  /** The reader is gone: cancel its pending wait, and any it registers later. */
  void end() {
    TailHub.Waiter w;
    synchronized (this) {
      ended = true;
      w = current;
      current = null;
    }
    if (w != null) w.cancel();
  }
}
