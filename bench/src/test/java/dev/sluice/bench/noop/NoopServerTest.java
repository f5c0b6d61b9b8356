package dev.sluice.bench.noop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.Config;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NoopServerTest {

  @Test
  void offsetsUseTheReferenceFormat() {
    assertEquals("0000000000000000_0000000000000000", NoopServer.offset(0));
    assertEquals("0000000000000000_0000000000000256", NoopServer.offset(256));
    assertEquals("0000000000000000_1234567890123456", NoopServer.offset(1234567890123456L));
  }

  @Test
  void mirrorsOnlyTheHttpServerAndDispatcherSettingsOfSluice(@TempDir Path dir) throws Exception {
    Path conf = dir.resolve("application.conf");
    Files.writeString(conf, String.join("\n",
        "pekko.http.server { idle-timeout = 120s, max-connections = 20000 }",
        "pekko.http.server.parsing.error-handler = \"dev.sluice.http.SecureParsingErrorHandler\"",
        "pekko.actor.default-dispatcher { fork-join-executor.parallelism-max = 3, throughput = 20 }",
        "pekko.coordinated-shutdown.exit-jvm = on",
        "sluice.http.port = 4437"));
    Config c = NoopServer.mirrored(conf);
    assertEquals(20000, c.getInt("pekko.http.server.max-connections"));
    assertEquals(3, c.getInt("pekko.actor.default-dispatcher.fork-join-executor.parallelism-max"));
    assertEquals(20, c.getInt("pekko.actor.default-dispatcher.throughput"));
    assertFalse(c.hasPath("pekko.http.server.parsing.error-handler"));
    assertFalse(c.hasPath("pekko.coordinated-shutdown"));
    assertFalse(c.hasPath("sluice"));
    assertThrows(IllegalArgumentException.class, () -> NoopServer.mirrored(dir.resolve("missing.conf")));
  }
}
