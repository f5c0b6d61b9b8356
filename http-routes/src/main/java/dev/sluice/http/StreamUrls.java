package dev.sluice.http;

import java.util.List;
import org.apache.pekko.http.javadsl.model.Uri;

/**
 * Stream names in URLs other than the protocol's, for operator routes such as
 * {@code GET /admin/streams/<stream>}: the name is decoded and checked by exactly the rules of
 * {@code /v1/stream/<stream>} (checklist §0 "URL layout"), so an operator addresses a stream by the
 * same path its clients use. Stateless, thread-safe.
 */
public final class StreamUrls {
  private StreamUrls() {}

  /** What a URL under a root names. */
  public sealed interface Named {}

  /** A stream, by its path relative to the stream root (as the gateway takes it). */
  public record Stream(String path) implements Named {}

  /** No stream (the reserved prefix, nothing after the root) or an invalid name, with why. */
  public record NotAStream(String reason) implements Named {}

  /**
   * What {@code uri} names under {@code root} (path segments, e.g. {@code ["admin", "streams"]}), or
   * null when it is not under {@code root} at all.
   */
  public static Named under(Uri uri, List<String> root) {
    StreamPaths.Target t = StreamPaths.target(uri, root).orElse(null);
    if (t == null) return null;
    if (t instanceof StreamPaths.Stream s) return new Stream(s.path());
    if (t instanceof StreamPaths.Invalid i) return new NotAStream(i.reason());
    return new NotAStream("no stream name (or the reserved prefix " + StreamPaths.RESERVED_SEGMENT + ")");
  }
}
