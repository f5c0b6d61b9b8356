package dev.sluice.server;

import static org.apache.pekko.http.javadsl.server.Directives.extractRequest;
import static org.apache.pekko.http.javadsl.server.Directives.mapResponse;

import java.util.concurrent.TimeUnit;
import org.apache.pekko.http.javadsl.server.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The optional access log ({@code sluice.access-log.enabled}, README "Logs"): one INFO line per
 * request on the logger {@code sluice.access}, when its response head is ready: a long-poll when
 * it is answered, an SSE response when its stream starts. The fields also go as key-value pairs,
 * which the JSON log format writes as separate fields.
 */
final class AccessLog {
  static final String LOGGER = "sluice.access";
  private static final Logger log = LoggerFactory.getLogger(LOGGER);

  private AccessLog() {}

  static Route around(Route inner) {
    return extractRequest(req -> {
      long start = System.nanoTime();
      return mapResponse(resp -> {
        if (log.isInfoEnabled()) {
          long micros = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - start);
          String method = req.method().value();
          String uri = req.getUri().toRelative().toString();
          int status = resp.status().intValue();
          log.atInfo().addKeyValue("method", method).addKeyValue("uri", uri).addKeyValue("status", status)
              .addKeyValue("micros", micros)
              .log("{} {} {} {}ms", method, uri, status, String.format("%.1f", micros / 1000.0));
        }
        return resp;
      }, () -> inner);
    });
  }
}
