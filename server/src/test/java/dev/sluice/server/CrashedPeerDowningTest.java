package dev.sluice.server;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;

class CrashedPeerDowningTest {
  private static Config with(String overrides) {
    return ConfigFactory.parseString(overrides).withFallback(ConfigFactory.load());
  }

  @Test
  void onByDefaultOverPlainTcp() {
    assertNull(CrashedPeerDowning.offBecause(with("")));
  }

  @Test
  void offWhenDisabledOrOverTlsWhereEveryProbeWouldBeAFailedHandshake() {
    assertTrue(CrashedPeerDowning.offBecause(with("sluice.cluster.crash-downing.enabled = off")).contains("enabled = off"));
    assertTrue(CrashedPeerDowning.offBecause(with("pekko.remote.artery.transport = tls-tcp")).contains("tls-tcp"));
  }
}
