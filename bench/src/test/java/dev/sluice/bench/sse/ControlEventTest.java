package dev.sluice.bench.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ControlEventTest {

  @Test
  void readsTheFieldsOfAControlEvent() {
    ControlEvent c = ControlEvent.parse("{\"streamNextOffset\":\"0000000000000000_0000000000000005\",\"streamCursor\":\"3358921\",\"upToDate\":true}");
    assertEquals("0000000000000000_0000000000000005", c.streamNextOffset());
    assertEquals("3358921", c.streamCursor());
    assertTrue(c.upToDate());
    assertFalse(c.streamClosed());
  }

  @Test
  void toleratesWhitespaceAndMissingFields() {
    ControlEvent c = ControlEvent.parse("{ \"streamNextOffset\" : \"1_2\", \"streamClosed\" : true }");
    assertEquals("1_2", c.streamNextOffset());
    assertNull(c.streamCursor());
    assertTrue(c.streamClosed());
    assertFalse(c.upToDate());
    assertNull(ControlEvent.parse("not json").streamNextOffset());
  }
}
