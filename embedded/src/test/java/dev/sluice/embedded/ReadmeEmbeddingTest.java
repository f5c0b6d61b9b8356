package dev.sluice.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's "Embedding" section cannot drift from the example that {@code ./mvnw verify} builds
 * and runs (examples/embedded-agent, through maven-invoker-plugin): it shows the example's main
 * class verbatim, the coordinates of this build, and output the run checks.
 */
class ReadmeEmbeddingTest {
  private static final Path ROOT = Path.of("..");
  private static final Path EXAMPLE = ROOT.resolve("examples/embedded-agent");

  private static String section() throws IOException {
    String readme = Files.readString(ROOT.resolve("README.md"));
    int start = readme.indexOf("## Embedding");
    assertTrue(start >= 0, "README has no Embedding section");
    int end = readme.indexOf("\n## ", start + 1);
    return readme.substring(start, end < 0 ? readme.length() : end);
  }

  /** The fenced code blocks of {@code text} whose info string is {@code lang} ("" = none). */
  private static List<String> blocks(String text, String lang) {
    var blocks = new ArrayList<String>();
    StringBuilder current = null;
    String currentLang = null;
    for (String line : text.split("\n", -1)) {
      if (current == null && line.startsWith("```")) {
        current = new StringBuilder();
        currentLang = line.substring(3).strip();
      } else if (current != null && line.equals("```")) {
        if (currentLang.equals(lang)) blocks.add(current.toString());
        current = null;
      } else if (current != null) {
        current.append(line).append('\n');
      }
    }
    return blocks;
  }

  private static String projectVersion() {
    String v = System.getProperty("sluice.version");
    assertTrue(v != null && !v.isBlank(), "surefire passes sluice.version (this module's pom)");
    return v;
  }

  @Test
  void theJavaSnippetIsTheExamplesMainClass() throws IOException {
    var java = blocks(section(), "java");
    assertEquals(1, java.size(), "one Java snippet");
    assertEquals(Files.readString(EXAMPLE.resolve("src/main/java/example/EmbeddedAgent.java")), java.get(0));
  }

  @Test
  void theSubscriptionsSnippetIsTheSubscribedExamplesMainClass() throws IOException {
    String readme = Files.readString(ROOT.resolve("README.md"));
    int start = readme.indexOf("## Subscriptions");
    assertTrue(start >= 0, "README has no Subscriptions section");
    int end = readme.indexOf("\n## ", start + 1);
    var java = blocks(readme.substring(start, end < 0 ? readme.length() : end), "java");
    assertEquals(1, java.size(), "one Java snippet");
    assertEquals(Files.readString(EXAMPLE.resolve("src/main/java/example/SubscribedAgent.java")), java.get(0));
  }

  @Test
  void theCoordinatesAreThoseOfThisBuildAndTheExampleUsesThem() throws IOException {
    var xml = blocks(section(), "xml");
    assertEquals(1, xml.size(), "one dependency snippet");
    String dependency = xml.get(0);
    assertTrue(dependency.contains("<groupId>dev.sluice</groupId>"), dependency);
    assertTrue(dependency.contains("<artifactId>sluice-embedded</artifactId>"), dependency);
    assertTrue(dependency.contains("<version>" + projectVersion() + "</version>"), dependency);

    String pom = Files.readString(EXAMPLE.resolve("pom.xml"));
    assertTrue(pom.contains("<sluice.version>" + projectVersion() + "</sluice.version>"), "the example builds against this version");
    assertTrue(pom.contains("<artifactId>sluice-embedded</artifactId>"));
    assertFalse(pom.contains("<parent>"), "the example stands alone, as an application would");
    assertEquals(1, Pattern.compile("<dependency>").matcher(pom).results().count(), "one dependency");
  }

  @Test
  void thePrintedOutputShownIsWhatTheBuildChecks() throws IOException {
    String checks = Files.readString(EXAMPLE.resolve("verify.groovy"));
    var plain = blocks(section(), "");
    var output = plain.stream().filter(b -> b.startsWith("read: ")).findFirst().orElseThrow();
    for (String line : output.strip().split("\n")) {
      String checked = line.replaceAll("session-.*$", "session-"); // the session id is random
      assertTrue(checks.contains("'" + checked), "verify.groovy checks for: " + checked);
    }
  }
}
