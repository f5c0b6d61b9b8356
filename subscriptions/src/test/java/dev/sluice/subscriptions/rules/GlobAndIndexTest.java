package dev.sluice.subscriptions.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GlobAndIndexTest {

  @Test
  void starIsOneSegmentAndDoubleStarAny() {
    assertTrue(Glob.compile("events/*").matches("events/a"));
    assertFalse(Glob.compile("events/*").matches("events/a/b"));
    assertFalse(Glob.compile("events/*").matches("events"));
    assertTrue(Glob.compile("events/**").matches("events"));
    assertTrue(Glob.compile("events/**").matches("events/a/b/c"));
    assertTrue(Glob.compile("**/log").matches("a/b/log"));
    assertTrue(Glob.compile("**/log").matches("log"));
    assertFalse(Glob.compile("**/log").matches("a/log/x"));
    assertTrue(Glob.compile("a/*/c").matches("a/b/c"));
    assertFalse(Glob.compile("a/*/c").matches("a/b/d"));
    assertTrue(Glob.compile("**").matches("anything/at/all"));
  }

  @Test
  void malformedPatternsAreRefused() {
    for (String bad : List.of("", "a//b", "/a", "a/", "a*", "a/**b", "x\u0001")) {
      assertThrows(IllegalArgumentException.class, () -> Glob.compile(bad), bad);
    }
  }

  @Test
  void indexAnswersLikeMatchingEveryPattern() {
    var patterns = List.of("events/*", "events/**", "**/log", "a/*/c", "users/u1/*", "**");
    var b = new PatternIndex.Builder();
    for (int i = 0; i < patterns.size(); i++) b.add("s" + i, Glob.compile(patterns.get(i)), List.of());
    b.add("x", null, List.of("manual/a"));
    PatternIndex idx = b.build();
    for (String path : List.of("events/a", "events/a/b", "events", "a/b/c", "a/log", "log", "users/u1/x", "manual/a", "z")) {
      var expected = new java.util.HashSet<String>();
      for (int i = 0; i < patterns.size(); i++) if (Glob.compile(patterns.get(i)).matches(path)) expected.add("s" + i);
      if (path.equals("manual/a")) expected.add("x");
      assertEquals(expected, idx.match(path), path);
    }
    assertEquals(7, idx.size());
  }

  @Test
  void indexWithoutPatternsOnlyLooksUpExplicitLinks() {
    PatternIndex idx = new PatternIndex.Builder().add("x", null, List.of("a/b")).build();
    assertEquals(Set.of("x"), idx.match("a/b"));
    assertEquals(Set.of(), idx.match("a/c"));
    assertEquals(Set.of(), PatternIndex.EMPTY.match("a"));
  }
}
