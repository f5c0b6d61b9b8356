package dev.sluice.server;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hard upper bound of a stop ({@code sluice.shutdown.timeout}, README "Shutdown"): once
 * CoordinatedShutdown begins, a daemon thread halts the JVM if it is still running after the bound.
 * The phase timeouts ({@link ShutdownSettings#applyTo}) normally end the stop well before; this
 * covers what they cannot, such as a JVM shutdown hook of a library that never returns. Installed
 * only for a node that owns its JVM ({@code pekko.coordinated-shutdown.exit-jvm = on}), never for
 * an embedding application or a test.
 */
final class ShutdownBound {
  private static final Logger log = LoggerFactory.getLogger(ShutdownBound.class);

  private ShutdownBound() {}

  static void install(ActorSystem<?> system, Duration bound) {
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(), "sluice-shutdown-bound", () -> {
      Thread watchdog = new Thread(() -> {
        try {
          Thread.sleep(bound.toMillis()); // a deadline, not a wait for a condition
        } catch (InterruptedException e) {
          return;
        }
        // Not through the logger: its appenders may be what hangs.
        System.err.println("sluice: still not stopped " + bound.toSeconds() + " s after shutdown began"
            + " (sluice.shutdown.timeout); halting");
        System.err.flush();
        Runtime.getRuntime().halt(1);
      }, "sluice-shutdown-bound");
      watchdog.setDaemon(true);
      watchdog.start();
      log.info("Shutting down; bounded by sluice.shutdown.timeout = {}", bound);
      return CompletableFuture.completedFuture(Done.getInstance());
    });
  }
}
