package dev.sluice.http;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Admission control for request bodies: the bytes of all bodies this node holds at once, against a
 * fixed capacity ({@code sluice.http.body-budget}). A request reserves before it reads and
 * releases once its body is no longer needed, so bodies can never take more heap together than the
 * budget, however many arrive at once.
 *
 * <p>Failure story: without it, 20 concurrent 60 MB POSTs each read their whole body and ran a
 * 1 GB node out of heap; the node died and every client got a reset.
 *
 * <p>Thread-safe (lock-free).
 */
final class BodyBudget {
  private final long capacity;
  private final AtomicLong used = new AtomicLong();

  BodyBudget(long capacity) {
    if (capacity <= 0) throw new IllegalArgumentException("capacity must be > 0, was " + capacity);
    this.capacity = capacity;
  }

  /** Reserves {@code bytes} if they fit next to what is reserved already; never blocks. */
  boolean tryAcquire(long bytes) {
    if (bytes < 0) throw new IllegalArgumentException("bytes must be >= 0, was " + bytes);
    while (true) {
      long now = used.get();
      if (now + bytes > capacity) return false;
      if (used.compareAndSet(now, now + bytes)) return true;
    }
  }

  /** Returns bytes from an earlier {@link #tryAcquire}. */
  void release(long bytes) {
    if (bytes == 0) return;
    long after = used.addAndGet(-bytes);
    if (after < 0) throw new IllegalStateException("released more than was reserved: " + after);
  }

  long capacity() {
    return capacity;
  }

  long used() {
    return used.get();
  }
}
