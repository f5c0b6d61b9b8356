package dev.sluice.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code sluice.http} defaults and validation (STYLE.md §4.4). */
class HttpSettingsTest {
  private static Config with(String overrides) {
    return ConfigFactory.parseString(overrides).withFallback(ConfigFactory.defaultReferenceUnresolved()).resolve();
  }

  @Test
  void referenceConfHasTheDocumentedDefaults() {
    HttpSettings s = HttpSettings.fromConfig(ConfigFactory.load());
    assertEquals("127.0.0.1", s.host());
    assertEquals(4437, s.port());
    assertEquals(Duration.ofSeconds(30), s.longPollTimeout());
    assertEquals(Duration.ofSeconds(60), s.sseCycle());
    assertEquals(Duration.ofSeconds(30), s.sseKeepalive());
    assertEquals(64L * 1024 * 1024, s.maxAppendBytes());
    assertEquals(1024 * 1024, s.readChunkBytes());
    assertEquals("*", s.corsAllowOrigin());
  }

  @Test
  void sseKeepaliveFollowsTheLongPollTimeoutUnlessSet() {
    assertEquals(Duration.ofMillis(500), HttpSettings.fromConfig(with("sluice.http.long-poll-timeout = 500ms")).sseKeepalive());
    assertEquals(Duration.ofSeconds(5),
        HttpSettings.fromConfig(with("sluice.http { long-poll-timeout = 500ms, sse-keepalive = 5s }")).sseKeepalive());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "sluice.http.max-append-bytes = 0|sluice.http.max-append-bytes",
      "sluice.http.long-poll-timeout = 0s|sluice.http.long-poll-timeout",
      "sluice.http.sse-cycle = -1s|sluice.http.sse-cycle",
      "sluice.http.read-chunk-bytes = 4GiB|sluice.http.read-chunk-bytes",
      "sluice.http.port = 70000|sluice.http.port",
      "sluice.http.cors.allow-origin = \"\"|sluice.http.cors.allow-origin"})
  void invalidValuesNameTheirKey(String override, String key) {
    var e = assertThrows(IllegalArgumentException.class, () -> HttpSettings.fromConfig(with(override)));
    assertTrue(e.getMessage().startsWith(key + " "), e.getMessage());
  }
}
