package dev.sluice.persistence.rocksdb;

import dev.sluice.core.spi.StorageFullException;
import java.util.Optional;

/**
 * INTERNAL API. Whether writes can succeed right now, as the group-commit writer last found out.
 * While it is closed, writes fail at once with {@link #blocker()} (nothing is queued or stored) and
 * the writer probes every {@code recovery-probe-interval} until writes work again.
 *
 * <pre>
 *            batch would leave &lt; min-free-space            probe: enough space again
 *   OPEN ------------------------------------------&gt; FULL ------------------------------&gt; OPEN
 *     |   RocksDB refuses a write (no space)          ^ (a RocksDB error also needs a
 *     |                                               |  successful probe write, below)
 *     |   RocksDB refuses a write (other error,       |
 *     +----------------------------------------&gt; FAILED --probe write works (reopening
 *         e.g. a flush that found no free fd)               RocksDB if its error is sticky)--&gt; OPEN
 * </pre>
 *
 * <p>Thread-safe: written by the writer thread only, read by anyone (one volatile read).
 */
final class WriteGate {
  /** Why writes are refused; null while open. */
  private volatile RuntimeException blocker;
  /** The gate was closed by a RocksDB error (not only by the free-space check); writer thread only. */
  private boolean rocksDbError;
  /** When it closed ({@code System.nanoTime()}); writer thread only. */
  private long closedAtNanos;

  /** Why writes would fail now, if they would. */
  Optional<RuntimeException> blocker() {
    return Optional.ofNullable(blocker);
  }

  boolean isOpen() {
    return blocker == null;
  }

  /** Writes fail for lack of space; {@code byRocksDb} when RocksDB itself ran out (not our check). */
  void closeFull(String why, boolean byRocksDb) {
    close(new StorageFullException(why), byRocksDb);
  }

  /** RocksDB refused a write for another reason; it may need a reopen to clear. */
  void closeFailed(String why, Throwable cause) {
    close(new RocksDbStorageException(why, cause), true);
  }

  private void close(RuntimeException why, boolean byRocksDb) {
    if (blocker == null) {
      closedAtNanos = System.nanoTime();
    }
    rocksDbError |= byRocksDb;
    blocker = why;
  }

  /** Whether RocksDB itself failed since the gate closed (then a probe write must prove it works). */
  boolean rocksDbError() {
    return rocksDbError;
  }

  /** Opens the gate; returns how long it was closed (nanoseconds). */
  long open() {
    blocker = null;
    rocksDbError = false;
    return System.nanoTime() - closedAtNanos;
  }
}
