package dev.sluice.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;

class NodeConfigTest {
  /** Regression: nodes announced Pekko's default app-version, and logged "version [0.0.0]". */
  @Test
  void aNodeAnnouncesThisBuildsVersionToTheCluster() {
    String version = NodeConfig.load(ConfigFactory.empty()).getString("pekko.cluster.app-version");
    assertEquals(SluiceVersion.get(), version);
    assertTrue(version.matches("\\d+\\.\\d+\\.\\d+.*"), version);
  }

  @Test
  void anExplicitAppVersionWins() {
    var overrides = ConfigFactory.parseString("pekko.cluster.app-version = \"7.0.0\"");
    assertEquals("7.0.0", NodeConfig.load(overrides).getString("pekko.cluster.app-version"));
  }
}
