package dev.sluice.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The connection limit keeps file descriptors for storage (issue: fd exhaustion from HTTP). */
class ConnectionLimitTest {
  @Test
  void theFdLimitMinusTheReserveBoundsTheConfiguredMaximum() {
    // The reported case: max-connections equal to the fd limit left nothing for storage.
    assertEquals(18_976, ConnectionLimit.derive(20_000, 1024, OptionalLong.of(20_000)).connections());
    assertEquals(20_000, ConnectionLimit.derive(20_000, 1024, OptionalLong.of(1_048_576)).connections());
    assertEquals(1024, ConnectionLimit.derive(20_000, 1024, OptionalLong.of(2048)).connections());
  }

  @Test
  void aLowFdLimitKeepsHalfForStorageAndSaysSo() {
    ConnectionLimit l = ConnectionLimit.derive(20_000, 1024, OptionalLong.of(1024));
    assertEquals(512, l.connections());
    assertTrue(l.lowFdLimit());
    assertTrue(l.describe().contains("too low"), l.describe());
  }

  @Test
  void anUnknownFdLimitLeavesTheConfiguredMaximum() {
    ConnectionLimit l = ConnectionLimit.derive(500, 1024, OptionalLong.empty());
    assertEquals(500, l.connections());
    assertFalse(l.lowFdLimit());
  }

  @Test
  void thisProcessHasAKnownFdLimitOnLinux() {
    assertTrue(ConnectionLimit.processFdLimit().orElse(0) > 0);
  }
}
