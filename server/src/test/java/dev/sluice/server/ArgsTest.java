package dev.sluice.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.server.Args.Flag;
import dev.sluice.server.Args.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Every flag's value is checked when the command line is parsed, with a message naming the flag. */
class ArgsTest {
  static final String NODES = "127.0.0.1:25521,127.0.0.1:25522,127.0.0.1:25523";

  /** Values each kind must refuse. */
  static final Map<Kind, List<String>> BAD = Map.of(
      Kind.PORT, List.of("abc", "99999", "65536", "-1", "", " ", "1.5", "0x10", "80 "),
      Kind.MANAGEMENT_PORT, List.of("abc", "99999", "-2", "", "of", "none"),
      Kind.HOST, List.of("", " ", "a b", "a,b", " localhost"),
      Kind.PATH, List.of("", "  "),
      Kind.DURATION, List.of("abc", "0s", "0", "-1s", "", "10 parsecs", "5x", "30s30s"),
      Kind.SIZE, List.of("lots", "0", "-1", "", "5 furlongs", "1.5.2MiB"),
      Kind.ON_OFF, List.of("maybe", "ON", "1", "", "offf"),
      Kind.ORDINAL, List.of("3", "-1", "x", "", "01"));

  /** Values each kind must accept. */
  static final Map<Kind, List<String>> GOOD = Map.of(
      Kind.PORT, List.of("0", "4437", "65535"),
      Kind.MANAGEMENT_PORT, List.of("off", "-1", "0", "5437"),
      Kind.HOST, List.of("127.0.0.1", "localhost", "::1", "0.0.0.0"),
      Kind.PATH, List.of("./data", "/var/lib/sluice", "dir with spaces"),
      Kind.DURATION, List.of("500ms", "30s", "2m", "1h"),
      Kind.SIZE, List.of("65536", "512KiB", "64MiB", "1g"),
      Kind.ON_OFF, List.of("on", "off", "true", "false"),
      Kind.ORDINAL, List.of("0", "1", "2"));

  static Stream<Arguments> badValues() {
    var cases = new ArrayList<Arguments>();
    for (Flag f : Args.FLAGS) for (String v : BAD.get(f.kind())) cases.add(Arguments.of(f.name(), v, f.kind().what));
    return cases.stream();
  }

  static Stream<Arguments> goodValues() {
    var cases = new ArrayList<Arguments>();
    for (Flag f : Args.FLAGS) for (String v : GOOD.get(f.kind())) cases.add(Arguments.of(f.name(), v));
    return cases.stream();
  }

  private static String[] withCompanions(String flag, String... argv) {
    // --node-ordinal only works with --cluster-nodes.
    var all = new ArrayList<>(List.of(argv));
    if (flag.equals("--node-ordinal")) all.addAll(List.of("--cluster-nodes", NODES));
    return all.toArray(String[]::new);
  }

  private static String usageError(String... argv) {
    return assertThrows(Args.UsageException.class, () -> Args.parse(argv)).getMessage();
  }

  @ParameterizedTest(name = "{0} ''{1}''")
  @MethodSource("badValues")
  void everyFlagRefusesValuesOfTheWrongKindNamingTheFlagAndWhatItTakes(String flag, String value, String what) {
    String expected = flag + ": expected " + what + ", got '" + value + "'";
    assertEquals(expected, usageError(withCompanions(flag, flag, value)));
    assertEquals(expected, usageError(withCompanions(flag, flag + "=" + value)));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("goodValues")
  void everyFlagAcceptsTheValuesItDocuments(String flag, String value) {
    var parsed = Args.parse(withCompanions(flag, flag, value));
    var config = Main.buildConfig(parsed); // the value is also valid HOCON for its key
    if (flag.equals("--management-port") && value.equals("off")) {
      assertFalse(config.getBoolean("sluice.management.enabled"));
    } else {
      String key = Args.FLAGS.stream().filter(f -> f.name().equals(flag)).findFirst().orElseThrow().key();
      assertTrue(config.hasPath(key), key);
    }
  }

  @Test
  void aFlagWithoutItsValueIsAMissingValue() {
    for (Flag f : Args.FLAGS) {
      String expected = f.name() + ": missing value, expected " + f.kind().what;
      assertEquals(expected, usageError(f.name()));
      assertEquals(expected, usageError(f.name(), "--port", "1"), "the next flag is not taken as the value");
    }
    assertTrue(usageError("--config").startsWith("--config: missing value"));
    assertTrue(usageError("--cluster-nodes").startsWith("--cluster-nodes: missing value"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"--bogus", "--bogus=1", "--Port", "--port-number", "--seed-node"})
  void unknownOptionsAreRefused(String option) {
    assertEquals("unknown option " + option.split("=")[0] + " (see --help)", usageError(option, "1"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"4437", "-p", "port", "-"})
  void strayArgumentsAreRefused(String arg) {
    assertTrue(usageError(arg).startsWith("unexpected argument '" + arg + "'"), usageError(arg));
  }

  @Test
  void aConfigFileMustExist() {
    assertEquals("--config: no readable file '/nonexistent/sluice.conf'", usageError("--config", "/nonexistent/sluice.conf"));
  }

  @Test
  void nodeOrdinalOnlyWithClusterNodes() {
    assertTrue(usageError("--node-ordinal", "1").contains("only with --cluster-nodes"));
  }

  @Test
  void helpAndVersionWinOverEverythingElse() {
    assertTrue(Args.parse(new String[] {"--port", "abc", "--help"}).help());
    assertTrue(Args.parse(new String[] {"-h"}).help());
    assertTrue(Args.parse(new String[] {"--bogus", "--version"}).version());
  }

  /** {@code --help} lists every flag that works, and only those. */
  @Test
  void helpListsExactlyTheWorkingFlags() {
    var listed = new ArrayList<String>();
    var m = Pattern.compile("(?m)^  (--[a-z-]+)").matcher(Args.usage());
    while (m.find()) listed.add(m.group(1));
    var expected = new ArrayList<>(Args.FLAGS.stream().map(Flag::name).toList());
    expected.addAll(List.of("--cluster-nodes", "--config", "--version", "--help"));
    assertEquals(expected, listed);
    for (Flag f : Args.FLAGS) {
      assertTrue(Args.usage().contains(f.key()), f.key());
    }
  }
}
