package dev.sluice.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.sluice.actors.api.ReadChunk;
import dev.sluice.core.Bytes;
import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SluiceEmbeddedTest {
  private static <T> T await(CompletionStage<T> f) throws Exception {
    return f.toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void startsANodeWithItsStreamsAndStopsItWithLiveTailsCompleted(@TempDir Path dir) throws Exception {
    CompletionStage<List<ReadChunk>> tail;
    SluiceEmbedded stopped;
    try (SluiceEmbedded sluice = SluiceEmbedded.start("embedded-test", dir.resolve("data"))) {
      stopped = sluice;
      var streams = sluice.streams();
      await(streams.create("s", "text/plain"));
      await(streams.append("s", "text/plain", Bytes.utf8("hello")));
      assertEquals(List.of("hello"), await(streams.read("s", 0, 1 << 20)).utf8Units());
      tail = streams.tail("s", 0).runWith(Sink.seq(), sluice.system()); // the stream stays open
    }
    assertTrue(stopped.system().whenTerminated().isCompleted(), "close() waits for the system to terminate");
    var chunks = await(tail);
    assertEquals("hello", chunks.stream().flatMap(c -> c.utf8Units().stream()).reduce("", String::concat));
    assertTrue(Files.isDirectory(dir.resolve("data")), "the data stays for the next start");
  }

  /**
   * Regression: the README's embedding recipe read {@code sluice/cluster.conf} with
   * {@code ConfigFactory.parseResources}, which finds nothing when the resource is not on the
   * classpath; Pekko then refused the local provider and the application's JVM hung.
   */
  @Test
  void withoutTheNodeSettingsOnTheClasspathItFailsClearlyBeforeStartingAnything() {
    ClassLoader hiding = new ClassLoader(getClass().getClassLoader()) {
      @Override
      public URL getResource(String name) {
        return name.equals(SluiceEmbedded.NODE_SETTINGS) ? null : super.getResource(name);
      }

      @Override
      public java.util.Enumeration<URL> getResources(String name) throws IOException {
        return name.equals(SluiceEmbedded.NODE_SETTINGS) ? java.util.Collections.emptyEnumeration() : super.getResources(name);
      }
    };
    var e = assertThrows(IllegalStateException.class, () -> SluiceEmbedded.nodeConfig(ConfigFactory.empty(), hiding));
    assertTrue(e.getMessage().contains("sluice/cluster.conf") && e.getMessage().contains("dev.sluice:sluice-embedded"), e.getMessage());
  }

  @Test
  void aLocalProviderIsRefusedBeforeStartingAnything() {
    var e = assertThrows(IllegalStateException.class,
        () -> SluiceEmbedded.nodeConfig(ConfigFactory.parseString("pekko.actor.provider = local")));
    assertTrue(e.getMessage().contains("pekko.actor.provider is 'local'"), e.getMessage());
  }

  @Test
  void theNodeSettingsComeWithIt() {
    var config = SluiceEmbedded.nodeConfig(ConfigFactory.empty());
    assertEquals("cluster", config.getString("pekko.actor.provider"));
    assertEquals("sluice.persistence.journal", config.getString("pekko.persistence.journal.plugin"));
  }

  /**
   * A start that fails once the actor system exists (here: the data directory is a file) must not
   * leave the system's threads running: the application's JVM would never exit.
   */
  @Test
  void aStartThatFailsLeavesNothingRunningSoTheJvmExits(@TempDir Path dir) throws Exception {
    Path notADirectory = Files.writeString(dir.resolve("a-file"), "x");
    Path out = dir.resolve("out.txt");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    Process p = new ProcessBuilder(java, "-cp", cp, StartThenFail.class.getName(), notADirectory.toString())
        .redirectErrorStream(true).redirectOutput(out.toFile()).start();
    try {
      assertTrue(p.waitFor(90, TimeUnit.SECONDS), "the JVM did not exit after a failed start:\n" + Files.readString(out));
    } finally {
      p.destroyForcibly();
    }
    String output = Files.readString(out);
    assertEquals(1, p.exitValue(), output);
    assertTrue(output.contains("Exception in thread \"main\""), output);
  }

  /** A main method that starts Sluice and lets the failure escape, as an application's would. */
  public static final class StartThenFail {
    public static void main(String[] args) {
      SluiceEmbedded.start("fails", Path.of(args[0]));
    }
  }
}
