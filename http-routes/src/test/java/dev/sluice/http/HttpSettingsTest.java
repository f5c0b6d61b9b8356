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

/** {@code sluice.http} defaults and validation (docs/style.md §4.4). */
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
    assertEquals(Duration.ofSeconds(20), s.requestHeadTimeout());
    assertEquals(20_000, s.maxConnections());
    assertEquals(1024, s.fdReserve());
  }

  @Test
  void theBodyBudgetIsAQuarterOfTheHeapUnlessSet() {
    long gib = 1024L * 1024 * 1024;
    assertEquals(gib / 4, HttpSettings.fromConfig(ConfigFactory.load(), gib).bodyBudgetBytes());
    assertEquals(gib / 10, HttpSettings.fromConfig(with("sluice.http.body-budget-heap-fraction = 0.1"), gib).bodyBudgetBytes());
    assertEquals(100L * 1024 * 1024, HttpSettings.fromConfig(with("sluice.http.body-budget = 100MiB"), gib).bodyBudgetBytes());
  }

  @Test
  void noBodyLargerThanTheWholeBudgetIsEverAccepted() {
    long heap = 128L * 1024 * 1024;
    HttpSettings s = HttpSettings.fromConfig(ConfigFactory.load(), heap);
    assertEquals(64L * 1024 * 1024, s.maxAppendBytes());
    assertEquals(heap / 4, s.maxBodyBytes());
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
      "sluice.http.cors.allow-origin = \"\"|sluice.http.cors.allow-origin",
      "sluice.http.body-budget = 0|sluice.http.body-budget",
      "sluice.http.body-budget-heap-fraction = 1.5|sluice.http.body-budget-heap-fraction",
      "sluice.http.request-head-timeout = 0s|sluice.http.request-head-timeout",
      "sluice.http.connections.max = 0|sluice.http.connections.max"})
  void invalidValuesNameTheirKey(String override, String key) {
    var e = assertThrows(IllegalArgumentException.class, () -> HttpSettings.fromConfig(with(override)));
    assertTrue(e.getMessage().startsWith(key + " "), e.getMessage());
  }
}
