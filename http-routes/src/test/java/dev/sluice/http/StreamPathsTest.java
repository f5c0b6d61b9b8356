package dev.sluice.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.apache.pekko.http.javadsl.model.Uri;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Which URLs name a stream, and which stream (checklist §0 "URL layout"); one URL, one stream. */
class StreamPathsTest {
  private static Optional<StreamPaths.Target> target(String path) {
    return StreamPaths.target(Uri.create("http://h" + path));
  }

  @ParameterizedTest
  @ValueSource(strings = {"/v1/stream/a", "/v1/stream/a/b/c", "/v1/stream/a%20b", "/v1/stream/%C3%A9t%C3%A9",
      "/v1/stream/a%2Fb", "/v1/stream/a.b", "/v1/stream/...", "/v1/stream/a%25b", "/v1/stream/_"})
  void wellFormedNamesAreStreams(String path) {
    assertInstanceOf(StreamPaths.Stream.class, target(path).orElseThrow(), path);
  }

  @Test
  void theNameIsTheDecodedRestOfThePath() {
    assertEquals(new StreamPaths.Stream("a/b c/é"), target("/v1/stream/a/b%20c/%C3%A9").orElseThrow());
    assertEquals(new StreamPaths.Stream("a/b"), target("/v1/stream/a%2Fb").orElseThrow());
  }

  @ParameterizedTest
  @ValueSource(strings = {"/v1/stream", "/v1/stream/", "/v1/stream/__ds", "/v1/stream/__ds/subscriptions/x"})
  void theRootAndTheReservedPrefixAreNotStreams(String path) {
    assertEquals(StreamPaths.NotAStream.INSTANCE, target(path).orElseThrow());
  }

  @ParameterizedTest
  @ValueSource(strings = {"/", "/v1", "/v2/stream/a", "/v1/streams/a", "/health", "/v1//stream/a"})
  void otherPathsAreNotUnderTheRoot(String path) {
    assertTrue(target(path).isEmpty(), path);
  }

  /** Request URLs are absolute, and Pekko resolves their dot segments (RFC 3986 §5.2.4), as clients do. */
  @Test
  void dotSegmentsOfARequestUrlAreResolvedLikeAnyUrl() {
    assertEquals(new StreamPaths.Stream("a"), target("/v1/stream/./a").orElseThrow());
    assertEquals(new StreamPaths.Stream("b"), target("/v1/stream/a/%2E%2E/b").orElseThrow());
    assertEquals(StreamPaths.NotAStream.INSTANCE, target("/v1/stream/a/..").orElseThrow());
    assertTrue(target("/v1/stream/../../etc/passwd").isEmpty());
  }

  /**
   * Names that another URL would alias (a//b and a/b, a/ and a), that intermediaries rewrite
   * (dot segments), or that carry bytes no name should hold: 400 with the reason.
   */
  @ParameterizedTest
  @ValueSource(strings = {"/v1/stream/a//b", "/v1/stream/a/", "/v1/stream//", "/v1/stream//a", "/v1/stream/a%2F",
      "/v1/stream/a%2F%2Fb", "/v1/stream/%2Fa", "/v1/stream/a%2F..%2Fb", "/v1/stream/.%2Fa", "/v1/stream/a%00b", "/v1/stream/a%0Ab", "/v1/stream/a%0D%0Ab", "/v1/stream/%7F",
      "/v1/stream/a%C2%85", "/v1/stream/a%FFb", "/v1/stream/%C0%AF", "/v1/stream/%ED%A0%80", "/v1/stream/%EF%BF%BD"})
  void aliasingDotControlAndNonUtf8NamesAreInvalid(String path) {
    var t = target(path).orElseThrow();
    assertInstanceOf(StreamPaths.Invalid.class, t, path);
    assertTrue(((StreamPaths.Invalid) t).reason().contains("stream name"), ((StreamPaths.Invalid) t).reason());
  }

  @Test
  void forkSourcesFollowTheSameRules() {
    assertEquals("a/b", StreamPaths.fromForkHeader("/v1/stream/a/b"));
    for (String v : new String[] {"/v1/stream/a/../a", "/v1/stream/./a", "/v1/stream/a//b", "/v1/stream/a/",
        "/v1/stream/a%00", "/v1/stream/a%FF"}) {
      var e = assertThrows(BadRequestException.class, () -> StreamPaths.fromForkHeader(v), v);
      assertTrue(e.getMessage().startsWith("Stream-Forked-From"), e.getMessage());
    }
  }
}
