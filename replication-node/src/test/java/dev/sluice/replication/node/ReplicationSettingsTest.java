package dev.sluice.replication.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;

class ReplicationSettingsTest {
  private static ReplicationSettings parse(String overrides) {
    return ReplicationSettings.fromConfig(ConfigFactory.parseString(overrides).withFallback(ConfigFactory.load()).resolve());
  }

  @Test
  void referenceConfReadsIntoSettings() {
    ReplicationSettings s = parse("sluice.replication { nodes = [\"a:1\", \"b:2\", \"c:3\"], node-ordinal = 2 }");
    assertEquals(2, s.ordinal());
    assertEquals("pekko://sys@b:2/system/sluice-replica", s.replicaPath("sys", 1));
    assertEquals(128 * 1024, s.transport().maxBatchBytes());
    assertFalse(s.writer().producerDedupe());
    assertEquals(100, s.writer().heartbeatMillis());
  }

  @Test
  void validationNamesTheKey() {
    var noNodes = assertThrows(IllegalArgumentException.class, () -> parse(""));
    assertTrue(noNodes.getMessage().contains("sluice.replication.nodes"), noNodes.getMessage());
    var badOrdinal = assertThrows(IllegalArgumentException.class,
        () -> parse("sluice.replication { nodes = [\"a:1\", \"b:2\", \"c:3\"], node-ordinal = 3 }"));
    assertTrue(badOrdinal.getMessage().contains("sluice.replication.node-ordinal"), badOrdinal.getMessage());
    var badEntry = assertThrows(IllegalArgumentException.class,
        () -> parse("sluice.replication { nodes = [\"a\", \"b:2\", \"c:3\"] }"));
    assertTrue(badEntry.getMessage().contains("host:port"), badEntry.getMessage());
  }
}
