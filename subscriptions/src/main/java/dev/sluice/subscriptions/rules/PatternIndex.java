package dev.sluice.subscriptions.rules;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Which subscriptions watch a stream path, answered by walking a segment trie of the patterns and
 * one hash lookup for explicit links: the cost of a lookup depends on the path's segments and on
 * the subscriptions that match, not on how many subscriptions exist (issue 10: "an index lookup,
 * not a scan"). Immutable once built, so the append path reads it without locks; subscription
 * changes (rare) build a new one.
 */
public final class PatternIndex {
  public static final PatternIndex EMPTY = new Builder().build();

  private static final class Node {
    final Map<String, Node> literal = new HashMap<>();
    Node star;
    Node doubleStar;
    final Set<String> ids = new HashSet<>();
  }

  private final Node root;
  private final Map<String, Set<String>> explicit;
  private final Set<String> ids;

  private PatternIndex(Node root, Map<String, Set<String>> explicit, Set<String> ids) {
    this.root = root;
    this.explicit = explicit;
    this.ids = ids;
  }

  /** Number of subscriptions indexed. */
  public int size() {
    return ids.size();
  }

  /** The ids of the subscriptions indexed. */
  public Set<String> ids() {
    return ids;
  }

  /** The ids of the subscriptions whose pattern matches {@code path} or that link it explicitly. */
  public Set<String> match(String path) {
    Set<String> out = null;
    Set<String> ex = explicit.get(path);
    if (ex != null) out = new HashSet<>(ex);
    if (root.literal.isEmpty() && root.star == null && root.doubleStar == null) return out == null ? Set.of() : out;
    String[] segs = path.split("/", -1);
    Set<String> acc = out == null ? new HashSet<>() : out;
    walk(root, segs, 0, acc);
    return acc;
  }

  private static void walk(Node n, String[] segs, int i, Set<String> acc) {
    if (n.doubleStar != null) {
      for (int k = i; k <= segs.length; k++) walk(n.doubleStar, segs, k, acc);
    }
    if (i == segs.length) {
      acc.addAll(n.ids);
      return;
    }
    Node lit = n.literal.get(segs[i]);
    if (lit != null) walk(lit, segs, i + 1, acc);
    if (n.star != null) walk(n.star, segs, i + 1, acc);
  }

  /** Collects subscriptions, then {@link #build}s an index. Not thread-safe. */
  public static final class Builder {
    private final Node root = new Node();
    private final Map<String, Set<String>> explicit = new HashMap<>();
    private final Set<String> ids = new HashSet<>();

    public Builder add(String id, Glob pattern, Iterable<String> explicitPaths) {
      ids.add(id);
      if (pattern != null) {
        Node n = root;
        for (String s : pattern.segments()) {
          if (s.equals("**")) {
            if (n.doubleStar == null) n.doubleStar = new Node();
            n = n.doubleStar;
          } else if (s.equals("*")) {
            if (n.star == null) n.star = new Node();
            n = n.star;
          } else {
            n = n.literal.computeIfAbsent(s, k -> new Node());
          }
        }
        n.ids.add(id);
      }
      for (String p : explicitPaths) explicit.computeIfAbsent(p, k -> new HashSet<>()).add(id);
      return this;
    }

    public PatternIndex build() {
      return new PatternIndex(root, explicit, Set.copyOf(ids));
    }
  }
}
