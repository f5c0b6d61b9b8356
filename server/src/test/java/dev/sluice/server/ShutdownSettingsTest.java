package dev.sluice.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ShutdownSettingsTest {
  private static final String PHASES = "pekko.coordinated-shutdown.phases.";

  @Test
  void phaseTimeoutsFitTheBound() {
    var s = new ShutdownSettings(Duration.ofSeconds(5), Duration.ofSeconds(20));
    Config c = s.applyTo(ConfigFactory.empty());
    Duration requestsDone = c.getDuration(PHASES + "service-requests-done.timeout");
    assertEquals(Duration.ofMillis(6500), requestsDone);
    Duration total = requestsDone;
    for (String phase : ShutdownSettings.CLUSTER_PHASES) total = total.plus(c.getDuration(PHASES + phase + ".timeout"));
    assertTrue(total.compareTo(Duration.ofSeconds(20)) < 0, "phases add up to " + total);
  }

  @Test
  void referenceDefaultsAreValid() {
    var s = ShutdownSettings.fromConfig(ConfigFactory.load());
    assertEquals(Duration.ofSeconds(5), s.drainTimeout());
    assertEquals(Duration.ofSeconds(20), s.timeout());
  }

  @Test
  void aBoundThatLeavesNoRoomAfterTheDrainIsRefused() {
    var e = assertThrows(IllegalArgumentException.class, () -> new ShutdownSettings(Duration.ofSeconds(5), Duration.ofSeconds(8)));
    assertTrue(e.getMessage().startsWith("sluice.shutdown.timeout"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new ShutdownSettings(Duration.ZERO, Duration.ofSeconds(8)));
  }
}
