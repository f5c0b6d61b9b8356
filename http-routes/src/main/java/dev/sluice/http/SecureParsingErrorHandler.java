package dev.sluice.http;

import java.util.ArrayList;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.DefaultParsingErrorHandler$;
import org.apache.pekko.http.ParsingErrorHandler;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.scaladsl.model.ErrorInfo;
import org.apache.pekko.http.scaladsl.model.StatusCode;
import org.apache.pekko.http.scaladsl.model.StatusCodes;
import org.apache.pekko.http.scaladsl.settings.ServerSettings;

/**
 * Answers requests Pekko cannot even parse (unknown method, bad request line, oversized headers)
 * like its default handler, plus the security headers that checklist §0 wants on every response.
 * Those responses never reach {@link StreamRoutes}. Enable with
 * {@code pekko.http.server.parsing.error-handler = "dev.sluice.http.SecureParsingErrorHandler"}.
 *
 * <p>A client never gets a 5xx for what it sent (issue: reliability item 6), so the two server
 * errors Pekko's parser uses become client errors: an unknown method (Pekko: 501) is 405 with
 * {@code Allow}, as checklist §0 "Methods" wants for any other method; an HTTP version other than
 * 1.0/1.1 (Pekko: 505) is 400. Stateless, thread-safe; Pekko instantiates it through its public
 * no-arg constructor.
 */
public final class SecureParsingErrorHandler extends ParsingErrorHandler {
  @Override
  public HttpResponse handle(StatusCode status, ErrorInfo error, LoggingAdapter log, ServerSettings settings) {
    StatusCode answered = clientError(status);
    HttpResponse standard = DefaultParsingErrorHandler$.MODULE$.handle(answered, error, log, settings);
    var headers = new ArrayList<HttpHeader>(StreamRoutes.securityHeaders());
    if (answered.intValue() == StatusCodes.MethodNotAllowed().intValue()) {
      headers.add(Headers.raw("Allow", HttpHeaderNames.ALLOWED_METHODS));
    }
    return standard.addHeaders(headers);
  }

  static StatusCode clientError(StatusCode status) {
    if (status.intValue() == StatusCodes.NotImplemented().intValue()) return StatusCodes.MethodNotAllowed();
    if (status.intValue() >= 500) return StatusCodes.BadRequest();
    return status;
  }
}
