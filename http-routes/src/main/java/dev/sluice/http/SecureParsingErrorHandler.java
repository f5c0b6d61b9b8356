package dev.sluice.http;

import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.DefaultParsingErrorHandler$;
import org.apache.pekko.http.ParsingErrorHandler;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.scaladsl.model.ErrorInfo;
import org.apache.pekko.http.scaladsl.model.StatusCode;
import org.apache.pekko.http.scaladsl.settings.ServerSettings;

/**
 * Answers requests Pekko cannot even parse (unknown method, bad request line, oversized headers)
 * like its default handler, plus the security headers that checklist §0 wants on every response.
 * Those responses never reach {@link StreamRoutes}. Enable with
 * {@code pekko.http.server.parsing.error-handler = "dev.sluice.http.SecureParsingErrorHandler"}.
 * Stateless, thread-safe; Pekko instantiates it through its public no-arg constructor.
 */
public final class SecureParsingErrorHandler extends ParsingErrorHandler {
  @Override
  public HttpResponse handle(StatusCode status, ErrorInfo error, LoggingAdapter log, ServerSettings settings) {
    HttpResponse standard = DefaultParsingErrorHandler$.MODULE$.handle(status, error, log, settings);
    return standard.addHeaders(StreamRoutes.securityHeaders());
  }
}
