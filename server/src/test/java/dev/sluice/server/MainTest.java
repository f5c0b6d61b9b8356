package dev.sluice.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import dev.sluice.cluster.NodeConfig;
import dev.sluice.cluster.SluiceVersion;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Main#prepare}: every bad flag or configuration value ends with exit status 2 and one line
 * on stderr naming it, before anything starts; never a stack trace.
 */
class MainTest {
  @TempDir
  static Path dir;

  record Run(Main.Outcome outcome, String out, String err) {
    int status() {
      return outcome instanceof Main.Exit e ? e.status() : -1;
    }
  }

  static Run prepare(String... argv) {
    var out = new ByteArrayOutputStream();
    var err = new ByteArrayOutputStream();
    var outcome = Main.prepare(argv, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(outcome, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /** Exit 2, one line on stderr that starts with "sluice: " and contains {@code words}, nothing else. */
  static void assertUsageError(Run run, String words) {
    assertEquals(2, run.status(), run.err());
    assertEquals("", run.out());
    assertTrue(run.err().endsWith("\n"), run.err());
    String line = run.err().substring(0, run.err().length() - 1);
    assertFalse(line.contains("\n"), "one line: " + run.err());
    assertTrue(line.startsWith("sluice: "), line);
    assertTrue(line.contains(words), "'" + line + "' should name " + words);
    assertFalse(line.contains("Exception") || line.contains("\tat "), line);
  }

  static Stream<Arguments> badCommandLines() {
    return Stream.of(
        Arguments.of(List.of("--port", "abc"), "--port: expected a port number 0..65535, got 'abc'"),
        Arguments.of(List.of("--port", "99999"), "--port: expected a port number 0..65535, got '99999'"),
        Arguments.of(List.of("--long-poll-timeout", "abc"), "--long-poll-timeout: expected a duration"),
        Arguments.of(List.of("--max-append-bytes", "lots"), "--max-append-bytes: expected a size"),
        Arguments.of(List.of("--fsync", "maybe"), "--fsync: expected on or off, got 'maybe'"),
        Arguments.of(List.of("--bogus", "1"), "unknown option --bogus"),
        Arguments.of(List.of("--port"), "--port: missing value"),
        Arguments.of(List.of("--data-dir", "--port", "1"), "--data-dir: missing value"),
        Arguments.of(List.of("--config", "/nonexistent.conf"), "--config: no readable file"),
        Arguments.of(List.of("--cluster-nodes", "a:1,b:2"), "--cluster-nodes needs exactly 3"),
        Arguments.of(List.of("--seed-nodes", "127.0.0.1:"), "sluice.cluster.seed-nodes entries must be host:port"),
        // Valid alone, but the derived management port (HTTP port + 1000) is not a port.
        Arguments.of(List.of("--port", "65000"), "sluice.management.port"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badCommandLines")
  void badCommandLinesExitWithStatus2AndOneLine(List<String> argv, String words) {
    assertUsageError(prepare(argv.toArray(String[]::new)), words);
  }

  private static Path configFile(String hocon) throws IOException {
    return Files.writeString(Files.createTempFile(dir, "bad", ".conf"), hocon + "\n");
  }

  /**
   * Every typed setting of a node (a number, on/off, duration or size by its default), given a value
   * of the wrong type in a --config file, is refused before the node starts, naming the full key.
   */
  static Stream<Arguments> typedKeys() {
    return Stream.concat(typedKeys(List.of(), "sluice.http", "sluice.cluster", "sluice.actors", "sluice.persistence.rocksdb",
            "sluice.management", "sluice.metrics"),
        typedKeys(List.of("--cluster-nodes", ArgsTest.NODES, "--node-ordinal", "0"), "sluice.replication.replica",
            "sluice.replication.transport", "sluice.replication.writer", "sluice.persistence.replicated-journal"));
  }

  private static Stream<Arguments> typedKeys(List<String> flags, String... subtrees) {
    Config defaults = NodeConfig.load(ConfigFactory.empty());
    var cases = new ArrayList<Arguments>();
    for (String subtree : subtrees) {
      for (Map.Entry<String, ConfigValue> e : defaults.getConfig(subtree).entrySet()) {
        String key = subtree + "." + e.getKey();
        // A dispatcher's settings and the journal plugin's own keys (replay filter, circuit breaker):
        // Pekko reads those, when it starts the plugin.
        if (key.startsWith("sluice.actors.blocking-io.") || key.contains("replay-filter") || key.contains(".circuit-breaker.")
            || key.endsWith("write-response-global-order")) {
          continue;
        }
        if (isTyped(e.getValue())) cases.add(Arguments.of(key, flags));
      }
    }
    return cases.stream();
  }

  private static boolean isTyped(ConfigValue v) {
    if (v.valueType() == ConfigValueType.NUMBER || v.valueType() == ConfigValueType.BOOLEAN) return true;
    if (v.valueType() != ConfigValueType.STRING) return false;
    String s = (String) v.unwrapped();
    return s.equals("on") || s.equals("off") || s.matches("\\d+(ms|s|m|h|d)") || s.matches("\\d+(KiB|MiB|GiB)");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("typedKeys")
  void aWrongTypeInAConfigFileNamesTheFullKey(String key, List<String> flags) throws IOException {
    Path file = configFile(key + " = not-a-value");
    var argv = new ArrayList<>(flags);
    argv.addAll(List.of("--config", file.toString()));
    Run run = prepare(argv.toArray(String[]::new));
    assertUsageError(run, key);
    assertTrue(run.err().startsWith("sluice: configuration error: "), run.err());
  }

  static Stream<Arguments> outOfRange() {
    return Stream.of(
        Arguments.of("sluice.http.port = 99999", "sluice.http.port"),
        Arguments.of("sluice.http.long-poll-timeout = 0s", "sluice.http.long-poll-timeout"),
        Arguments.of("sluice.http.max-append-bytes = 0", "sluice.http.max-append-bytes"),
        Arguments.of("sluice.http.body-budget = lots", "sluice.http.body-budget"),
        Arguments.of("sluice.http.host = \"\"", "sluice.http.host"),
        Arguments.of("sluice.cluster.port = 70000", "sluice.cluster.port"),
        Arguments.of("sluice.management.port = 70000", "sluice.management.port"),
        Arguments.of("sluice.persistence.rocksdb.max-batch-requests = 0", "sluice.persistence.rocksdb.max-batch-requests"),
        Arguments.of("sluice.persistence.rocksdb.dir = \"\"", "sluice.persistence.rocksdb.dir"),
        Arguments.of("sluice.actors.snapshot-every = 0", "sluice.actors.snapshot-every"),
        Arguments.of("sluice.actors.ask-timeout = 0s", "sluice.actors.ask-timeout"),
        Arguments.of("sluice.http { port = 4437, port = [1] }", "sluice.http.port"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("outOfRange")
  void outOfRangeValuesInAConfigFileNameTheKey(String hocon, String key) throws IOException {
    assertUsageError(prepare("--config", configFile(hocon).toString()), key);
  }

  @Test
  void aConfigFileThatDoesNotParseIsOneLineWithItsPlace() throws IOException {
    Path file = configFile("sluice.http {\n  port = 4437\n  host = [oops\n");
    assertUsageError(prepare("--config", file.toString()), file.toString());
  }

  @Test
  void goodArgumentsStartWithTheConfig() {
    Run run = prepare("--port", "0", "--data-dir", dir.resolve("data").toString(), "--fsync", "off", "--long-poll-timeout", "500ms");
    var start = assertInstanceOf(Main.Start.class, run.outcome());
    assertEquals("", run.err());
    assertEquals(500, start.config().getDuration("sluice.http.long-poll-timeout").toMillis());
    assertFalse(start.config().getBoolean("sluice.persistence.rocksdb.sync"));
  }

  @Test
  void versionPrintsTheBuildVersionAndExits0() {
    Run run = prepare("--version");
    assertEquals(0, run.status());
    assertEquals("sluice " + SluiceVersion.get() + "\n", run.out());
    assertTrue(SluiceVersion.get().matches("\\d+\\.\\d+\\.\\d+.*"), SluiceVersion.get());
    assertEquals("", run.err());
  }

  @Test
  void helpPrintsTheUsageAndExits0() {
    Run run = prepare("--help");
    assertEquals(0, run.status());
    assertEquals(Args.usage(), run.out());
  }
}
