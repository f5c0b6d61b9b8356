package dev.sluice.persistence.support;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import dev.sluice.persistence.rocksdb.RocksDbSettings;
import dev.sluice.persistence.rocksdb.RocksDbStorage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;

/** Temp directories and ActorSystem config for tests that run the plugins against real RocksDB. */
public final class TestStorage {
  private TestStorage() {}

  public static Path newDir(String prefix) {
    try {
      return Files.createTempDirectory(prefix);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The module's default RocksDB settings with storage in {@code dir}, for tests without an ActorSystem. */
  public static RocksDbSettings settings(Path dir) {
    return RocksDbSettings.fromConfig(ConfigFactory.defaultReference()
        .withValue("sluice.persistence.rocksdb.dir", ConfigValueFactory.fromAnyRef(dir.toString())));
  }

  /**
   * A node-local storage opened outside an ActorSystem in a fresh directory, with an IO pool for
   * its reads; closing it closes both and deletes the directory.
   */
  public record LocalStorage(Path dir, RocksDbStorage storage, ExecutorService io) implements AutoCloseable {
    public static LocalStorage open(String prefix) {
      Path dir = newDir(prefix);
      return new LocalStorage(dir, RocksDbStorage.open(settings(dir)), Executors.newFixedThreadPool(2));
    }

    @Override
    public void close() {
      io.shutdownNow();
      storage.close();
      deleteRecursively(dir);
    }
  }

  /** Both plugins enabled, storage in {@code dir}, core events bound to jackson-cbor. */
  public static Config config(Path dir) {
    return ConfigFactory.parseString("""
            pekko.loglevel = WARNING
            pekko.loggers = ["org.apache.pekko.event.slf4j.Slf4jLogger"]
            pekko.logging-filter = "org.apache.pekko.event.slf4j.Slf4jLoggingFilter"
            pekko.test.single-expect-default = 10s
            pekko.persistence.journal.plugin = "sluice.persistence.journal"
            pekko.persistence.snapshot-store.plugin = "sluice.persistence.snapshot-store"
            pekko.actor.serialization-bindings {
              "dev.sluice.core.CborSerializable" = jackson-cbor
            }
            """)
        .withValue("sluice.persistence.rocksdb.dir", ConfigValueFactory.fromAnyRef(dir.toString()));
  }

  public static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
