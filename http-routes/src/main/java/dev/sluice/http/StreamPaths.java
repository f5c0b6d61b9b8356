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

  /** Under the stream root, but the name is not one a stream can have (400, with the reason). */
  record Invalid(String reason) implements Target {}

  /**
   * Empty when the URL is not under the stream root at all.
   *
   * <p>One stream, one URL: a name with an empty segment ({@code a//b}, {@code a/}, also via
   * {@code %2F}) would alias another name, dot segments are rewritten by clients and proxies, and
   * control characters or bytes that are not UTF-8 (Pekko decodes them to U+FFFD, so {@code %FE}
   * and {@code %FF} would be one stream) have no business in a name: all are {@link Invalid}.
   */
  static Optional<Target> target(Uri uri) {
    return target(uri, ROOT_SEGMENTS);
  }

  private static final List<String> ROOT_SEGMENTS = List.of("v1", "stream");

  /** As {@link #target(Uri)}, for streams named under another root ({@code root}: its segments). */
  static Optional<Target> target(Uri uri, List<String> root) {
    List<String> segments = segments(uri);
    if (segments.size() < root.size() || !segments.subList(0, root.size()).equals(root)) {
      return Optional.empty();
    }
    List<String> name = segments.subList(root.size(), segments.size());
    if (name.isEmpty() || name.equals(List.of("")) || name.get(0).equals(RESERVED_SEGMENT)) {
      return Optional.of(NotAStream.INSTANCE);
    }
    String path = String.join("/", name);
    String problem = problem(path);
    return Optional.of(problem == null ? new Stream(path) : new Invalid(problem));
  }

  /** Why {@code path} (decoded, segments joined by {@code /}) cannot name a stream, or null. */
  static String problem(String path) {
    for (String segment : path.split("/", -1)) {
      if (segment.isEmpty()) return "empty segment in the stream name (no '//', no leading or trailing '/')";
      if (segment.equals(".") || segment.equals("..")) return "dot segment ('.' or '..') in the stream name";
    }
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return "control character in the stream name";
      if (c == '\uFFFD') return "the stream name is not UTF-8 (or contains U+FFFD)";
    }
    return null;
  }

  /**
   * The source stream of a {@code Stream-Forked-From} value, a same-server path such as
   * {@code /v1/stream/src} (checklist §3), under the same naming rules as request URLs.
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
    Target t = target(uri).orElseThrow(() -> new BadRequestException("Stream-Forked-From must start with " + ROOT));
    if (t instanceof Invalid i) throw new BadRequestException("Stream-Forked-From: " + i.reason());
    if (!(t instanceof Stream s)) throw new BadRequestException("Stream-Forked-From does not name a stream");
    return s.path();
  }

  /**
   * Decoded path segments, empty ones included: {@code /a//b/} is {@code [a, "", b, ""]}. (The
   * Java DSL's {@code pathSegments()} drops empty segments, which made {@code a//b} alias {@code a/b}.)
   */
  static List<String> segments(Uri uri) {
    var out = new ArrayList<String>();
    var p = uri.asScala().path();
    boolean afterSlash = false;
    while (!p.isEmpty()) {
      if (p.startsWithSegment()) {
        out.add((String) p.head());
        afterSlash = false;
      } else {
        if (afterSlash) out.add("");
        afterSlash = true;
      }
      p = p.tail();
    }
    if (afterSlash) out.add("");
    return out;
  }
}
