package dev.sluice.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The node's default JVM flags are decided once, in {@code bin/sluice-jvm.sh}, which both launchers
 * source. The container image and the Kubernetes manifest cannot source a shell file and repeat
 * them; this keeps every copy equal to the original, so a change of the defaults cannot leave a
 * deployment on the old ones. The systemd unit runs the distribution's launcher, so it must not
 * override them.
 */
class DeployDefaultsTest {
  private static final Path REPO = Path.of(System.getProperty("user.dir")).getParent();

  private static String read(String path) throws IOException {
    return Files.readString(REPO.resolve(path));
  }

  private static String defaults() throws IOException {
    Matcher m = Pattern.compile("(?m)^SLUICE_DEFAULT_JAVA_OPTS=\"([^\"]+)\"$").matcher(read("bin/sluice-jvm.sh"));
    assertTrue(m.find(), "no SLUICE_DEFAULT_JAVA_OPTS line in bin/sluice-jvm.sh");
    return m.group(1);
  }

  private static String mallocArenaMax() throws IOException {
    Matcher m = Pattern.compile("(?m)^export MALLOC_ARENA_MAX=\"\\$\\{MALLOC_ARENA_MAX:-(\\d+)}\"$").matcher(read("bin/sluice-jvm.sh"));
    assertTrue(m.find(), "no MALLOC_ARENA_MAX default in bin/sluice-jvm.sh");
    return m.group(1);
  }

  /** The value of each {@code - name: NAME} entry's {@code value:} line in the manifest. */
  private static List<String> k8sEnv(String yaml, String name) {
    Matcher m = Pattern.compile("- name: " + name + "\\s*\\n\\s*value: \"([^\"]*)\"").matcher(yaml);
    return m.results().map(r -> r.group(1)).toList();
  }

  @Test
  void kubernetesManifestUsesTheLaunchersDefaults() throws IOException {
    String yaml = read("deploy/kubernetes/sluice.yaml");
    assertEquals(List.of(defaults()), k8sEnv(yaml, "JAVA_TOOL_OPTIONS"));
    assertEquals(List.of(mallocArenaMax()), k8sEnv(yaml, "MALLOC_ARENA_MAX"));
  }

  @Test
  void containerImageUsesTheLaunchersDefaults() throws IOException {
    String pom = read("dist/pom.xml");
    assertEquals(List.of(defaults()), Pattern.compile("<JAVA_TOOL_OPTIONS>([^<]*)</JAVA_TOOL_OPTIONS>").matcher(pom)
        .results().map(r -> r.group(1)).toList());
    assertEquals(List.of(mallocArenaMax()), Pattern.compile("<MALLOC_ARENA_MAX>([^<]*)</MALLOC_ARENA_MAX>").matcher(pom)
        .results().map(r -> r.group(1)).toList());
  }

  @Test
  void systemdUnitLeavesTheFlagsToTheLauncher() throws IOException {
    String unit = read("deploy/systemd/sluice.service");
    assertFalse(Pattern.compile("(?m)^Environment=\"?(SLUICE_JAVA_OPTS|MALLOC_ARENA_MAX)=").matcher(unit).find(),
        "the unit overrides the launcher's defaults");
    assertTrue(unit.contains("ExecStart=/opt/sluice/bin/sluice "), "the unit runs the distribution's launcher");
  }

  @Test
  void bothLaunchersSourceTheSameFile() throws IOException {
    assertTrue(read("bin/sluice").contains("source \"$ROOT/bin/sluice-jvm.sh\""));
    assertTrue(read("dist/src/dist/bin/sluice").contains("source \"$SLUICE_HOME/bin/sluice-jvm.sh\""));
    assertTrue(read("dist/src/assembly/distribution.xml").contains("<include>sluice-jvm.sh</include>"), "the tarball ships it");
  }
}
