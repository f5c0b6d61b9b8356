package dev.sluice.it.support;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Kills every child process the tests started that is still running when the test JVM exits
 * (failsafe's forkedProcessTimeoutInSeconds, Ctrl-C, a JUnit timeout that skipped cleanup). docs/stack.md
 * §4 saw a timed-out launcher leave two orphaned JVMs behind, holding ports and data dirs.
 *
 * <p>Thread-safe.
 */
final class Reaper {

  private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(p -> {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }), "it-process-reaper"));
  }

  private Reaper() {}

  /** Tracks {@code p} until it exits; returns it for chaining. */
  static Process track(Process p) {
    LIVE.add(p);
    p.onExit().thenRun(() -> LIVE.remove(p));
    return p;
  }
}
