package dev.sluice.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.http.javadsl.model.Uri;
import org.apache.pekko.http.scaladsl.model.IllegalUriException;

/**
 * Maps URLs to stream paths. Streams live under {@code /v1/stream/} (checklist §0 "URL layout":
 * the suite hard-codes it); the stream path is the URL-decoded rest, which may contain {@code /}.
 * {@code /v1/stream/__ds/...} is reserved for control APIs (checklist §0 "Reserved prefix", §15)
 * and is never a stream.
 */
final class StreamPaths {
  static final String ROOT = "/v1/stream/";
  static final String RESERVED_SEGMENT = "__ds";

  private StreamPaths() {}

  /** What a request URL addresses. */
  sealed interface Target {}

  /** A stream, by its path relative to the stream root. */
  record Stream(String path) implements Target {}

  /** Under the stream root but not a stream: the reserved prefix, or no name at all. */
  enum NotAStream implements Target { INSTANCE }

  /** Empty when the URL is not under the stream root at all. */
  static Optional<Target> target(Uri uri) {
    List<String> segments = segments(uri);
    if (segments.size() < 2 || !segments.get(0).equals("v1") || !segments.get(1).equals("stream")) {
      return Optional.empty();
    }
    if (segments.size() == 2 || segments.get(2).equals(RESERVED_SEGMENT)) return Optional.of(NotAStream.INSTANCE);
    return Optional.of(new Stream(String.join("/", segments.subList(2, segments.size()))));
  }

  /**
   * The source stream of a {@code Stream-Forked-From} value, a same-server path such as
   * {@code /v1/stream/src} (checklist §3).
   *
   * @throws BadRequestException if the value is not a path under the stream root
   */
  static String fromForkHeader(String value) {
    Uri uri;
    try {
      uri = Uri.create(value);
    } catch (IllegalUriException | IllegalArgumentException e) {
      throw new BadRequestException("Stream-Forked-From is not a valid path");
    }
    if (!uri.path().startsWith(ROOT)) throw new BadRequestException("Stream-Forked-From must start with " + ROOT);
    return target(uri)
        .filter(Stream.class::isInstance)
        .map(t -> ((Stream) t).path())
        .orElseThrow(() -> new BadRequestException("Stream-Forked-From does not name a stream"));
  }

  /** Decoded, non-empty path segments. */
  private static List<String> segments(Uri uri) {
    var out = new ArrayList<String>();
    for (String s : uri.pathSegments()) if (!s.isEmpty()) out.add(s);
    return out;
  }
}
