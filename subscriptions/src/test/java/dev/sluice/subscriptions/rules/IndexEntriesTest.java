package dev.sluice.subscriptions.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.subscriptions.rules.IndexEntries.Entry;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Copies of definitions from several nodes, late, repeated or reordered, settle on the newest. */
class IndexEntriesTest {
  private static Entry pattern(String id, long version, String glob, String... explicit) {
    return new Entry(id, version, glob, List.of(explicit), false);
  }

  @Test
  void newerReplacesOlderAndOlderNeverReplacesNewer() {
    var e = new IndexEntries();
    assertTrue(e.apply(pattern("s", 1, "jobs/*")));
    assertTrue(e.apply(pattern("s", 3, "jobs/*", "other/x")));
    assertFalse(e.apply(pattern("s", 2, "jobs/*")), "a late copy of an older definition");
    assertFalse(e.apply(pattern("s", 3, "jobs/*", "other/x")), "a repeat");
    assertEquals(Set.of("s"), e.index().match("other/x"));
    assertEquals(Set.of("s"), e.index().match("jobs/a"));
  }

  @Test
  void aTombstoneUnindexesAndOutlivesLateCopiesOfWhatItDeleted() {
    var e = new IndexEntries();
    e.apply(pattern("s", 1, "jobs/*"));
    e.apply(pattern("t", 1, null, "jobs/a"));
    assertTrue(e.apply(Entry.tombstone("s", 4)));
    assertFalse(e.applyAll(List.of(pattern("s", 1, "jobs/*"), pattern("s", 3, "jobs/*"))));
    assertEquals(Set.of("t"), e.index().match("jobs/a"));
    assertEquals(1, e.index().size());
    assertEquals(2, e.all().size(), "the tombstone is handed on to new peers too");
    // Created again after the deletion: a later sequence number.
    assertTrue(e.apply(pattern("s", 5, "jobs/*")));
    assertEquals(Set.of("s", "t"), e.index().match("jobs/a"));
  }
}
