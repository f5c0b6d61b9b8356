package dev.sluice.replication.node;

import dev.sluice.replication.Entry;
import dev.sluice.replication.LogChange;
import java.util.ArrayList;
import java.util.List;

/**
 * Folds successive {@link LogChange}s of one stream into one, so several protocol steps queued behind
 * a persist go to the store as ONE synced batch (per-stream group commit). Applying the result to a
 * log with tail {@code tailBefore} gives the same log as applying every change in order.
 */
final class LogChanges {
  private LogChanges() {}

  static LogChange fold(long tailBefore, List<LogChange> changes) {
    if (changes.size() == 1) return changes.get(0);
    long truncateAfter = LogChange.NO_TRUNCATE;
    long base = tailBefore; // the seq right before `written`
    List<Entry> written = new ArrayList<>();
    for (LogChange c : changes) {
      if (c.truncates() && c.truncateAfter() < base + written.size()) {
        if (c.truncateAfter() >= base) {
          written.subList((int) (c.truncateAfter() - base), written.size()).clear();
        } else {
          // Deeper than anything written so far: the batch must delete from there in the store too.
          truncateAfter = c.truncateAfter();
          base = c.truncateAfter();
          written.clear();
        }
      }
      written.addAll(c.append());
    }
    if (truncateAfter == LogChange.NO_TRUNCATE) return LogChange.append(written);
    return LogChange.replace(truncateAfter, written);
  }
}
