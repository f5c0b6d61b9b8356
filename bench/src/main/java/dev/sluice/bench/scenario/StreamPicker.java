package dev.sluice.bench.scenario;

import dev.sluice.bench.http.Connection;
import java.util.Arrays;

/**
 * Which stream each append goes to: every target walks through the N streams in order on its own,
 * target t starting at stream {@code t * N / T}. With one target that is stream {@code k mod N} for
 * request k. With several, every stream is appended to through every target whatever N and T (a
 * shared {@code k mod N} would tie stream s to target {@code s mod T} whenever T divides N, since
 * the open loop hands requests to the targets in turn).
 *
 * <p>Also remembers the last stream picked per connection, for error messages. Not thread-safe: the
 * event loop thread only.
 */
final class StreamPicker {

  private final int streams;
  private final long[] next;
  private int[] lastByConnection = new int[64];

  StreamPicker(int streams, int targets) {
    if (streams <= 0 || targets <= 0) throw new IllegalArgumentException("streams and targets must be positive");
    this.streams = streams;
    this.next = new long[targets];
    for (int t = 0; t < targets; t++) next[t] = (long) t * streams / targets;
  }

  /** The stream of the next request to {@code target}. */
  int next(int target) {
    return (int) (next[target]++ % streams);
  }

  /** As {@link #next(int)}, remembered as {@code c}'s current stream. */
  int next(Connection c, int target) {
    int s = next(target);
    int id = c.id();
    if (id >= lastByConnection.length) lastByConnection = Arrays.copyOf(lastByConnection, Math.max(id + 1, lastByConnection.length * 2));
    lastByConnection[id] = s;
    return s;
  }

  /** The stream of the request last rendered for {@code c}. */
  int last(Connection c) {
    int id = c.id();
    return id < lastByConnection.length ? lastByConnection[id] : 0;
  }
}
