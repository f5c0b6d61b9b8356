package dev.sluice.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where the integration tests put things, read once from system properties that the failsafe
 * configuration in {@code multi-jvm-tests/pom.xml} sets. The fallbacks make the tests runnable
 * from an IDE with the module directory as working directory.
 *
 * <p>Thread-safe.
 */
public final class ItEnv {

  private static final Map<String, AtomicInteger> COUNTERS = new ConcurrentHashMap<>();

  private ItEnv() {}

  /** Logs of spawned processes: {@code target/it-logs}. Kept after the build for post-mortems. */
  public static Path logDir() {
    return ensureDir(Path.of(System.getProperty("sluice.it.logDir", "target/it-logs")));
  }

  /** Parent of the per-test data directories: {@code target/it-data}. */
  public static Path dataRoot() {
    return ensureDir(Path.of(System.getProperty("sluice.it.dataRoot", "target/it-data")));
  }

  /** The pinned npm project of the conformance suite: {@code multi-jvm-tests/conformance}. */
  public static Path conformanceDir() {
    return Path.of(System.getProperty("sluice.it.conformanceDir", "conformance")).toAbsolutePath();
  }

  /**
   * The classpath for spawned server JVMs: this module's test classpath, which holds sluice-server
   * and all its runtime dependencies. Failsafe runs the tests from a manifest-only booter jar, so
   * {@code java.class.path} is useless there and {@code surefire.test.class.path} is the real one;
   * {@code sluice.it.classpath} overrides both.
   */
  public static String childClasspath() {
    for (String key : new String[] {"sluice.it.classpath", "surefire.test.class.path", "java.class.path"}) {
      String cp = System.getProperty(key);
      if (cp != null && !cp.isBlank()) {
        return cp;
      }
    }
    throw new IllegalStateException("no classpath for child JVMs (surefire.test.class.path and java.class.path are empty)");
  }

  /**
   * {@link #childClasspath()} without its directories (this module's {@code test-classes}): a server
   * JVM needs none of them (its code and resources are all in jars), and class-data sharing refuses
   * a class path with a non-empty directory ({@link NodeCds}).
   */
  public static String nodeClasspath() {
    return java.util.Arrays.stream(childClasspath().split(java.io.File.pathSeparator))
        .filter(e -> !e.isBlank() && !Files.isDirectory(Path.of(e)))
        .collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator));
  }

  /** The java launcher of the JVM running the tests, so children use the same JDK. */
  public static String javaExecutable() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** 1, 2, 3, ... per key within this test JVM; used to name log files and data dirs. */
  public static int nextIndex(String key) {
    return COUNTERS.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
  }

  /**
   * A new, empty data directory {@code target/it-data/<testName>-<n>}. A directory left by an
   * earlier build is deleted first so every run starts from a fresh store.
   */
  public static Path freshDataDir(String testName) {
    Path dir = dataRoot().resolve(testName + "-" + nextIndex("data:" + testName)).toAbsolutePath();
    deleteRecursively(dir);
    return ensureDir(dir);
  }

  static Path ensureDir(Path dir) {
    try {
      return Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.delete(p);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
