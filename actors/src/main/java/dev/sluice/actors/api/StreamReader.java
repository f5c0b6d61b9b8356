package dev.sluice.actors.api;

import dev.sluice.core.rules.StreamView;
import dev.sluice.core.Bytes;
import dev.sluice.core.model.Segment;
import dev.sluice.core.protocol.Offset;
import dev.sluice.core.spi.DataUnit;
import dev.sluice.core.spi.StreamDataStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads committed bytes by offset straight from the store, walking a view's read path (inherited
 * fork ranges, then the stream's own range): one seek per segment touched, never a replay through
 * the entity (docs/architecture.md "Data is read back by offset"). Blocking; thread-safe.
 */
public final class StreamReader {
  private final StreamDataStore store;

  public StreamReader(StreamDataStore store) {
    this.store = store;
  }

  /** Why the store would refuse writes right now, if it knows ({@link StreamDataStore#writeBlocker}). */
  public Optional<RuntimeException> writeBlocker() {
    return store.writeBlocker();
  }

  /** Units starting at or after {@code fromPos}, up to about {@code maxBytes}, bounded by the view's tail. */
  public ReadChunk read(StreamView view, long fromPos, int maxBytes) {
    long tail = view.tail();
    long pos = Math.min(fromPos, tail);
    var units = new ArrayList<Bytes>();
    long budget = maxBytes;
    for (Segment seg : view.readPath()) {
      if (budget <= 0 || pos >= tail) break;
      if (seg.end() <= pos) continue;
      long from = Math.max(pos, seg.start());
      List<DataUnit> got = store.read(seg.storeId(), from, seg.end(), (int) Math.min(Integer.MAX_VALUE, budget));
      if (got.isEmpty()) {
        // Nothing starts in [from, seg.end): either `from` lies inside the segment's last unit (an
        // offset a client made up), or this node's copy has not received that range yet. Never
        // answer the second as an empty range with an advanced offset: the client would skip data.
        long stored = store.storedEnd(seg.storeId());
        long needed = Math.min(seg.end(), tail);
        if (stored < needed) throw new DataNotLocalYetException(seg.storeId(), stored, needed);
        // The copy is complete now, but the range may have landed between the scan and the check:
        // look once more before taking it for empty, else that read is retried.
        if (!store.read(seg.storeId(), from, seg.end(), 1).isEmpty()) throw new DataNotLocalYetException(seg.storeId(), from, needed);
        pos = seg.end();
        continue;
      }
      for (DataUnit u : got) {
        Bytes data = u.data();
        // A client-forged fork offset may cut a unit; never read past the segment (checklist §3).
        if (u.end() > seg.end()) data = data.slice(0, (int) (seg.end() - u.position()));
        units.add(data);
        pos = u.position() + data.length();
        budget -= data.length();
      }
      if (pos < seg.end()) {
        // Stopped inside the segment: the budget is spent, or this node's copy ends here for now.
        if (budget > 0) {
          long stored = store.storedEnd(seg.storeId());
          long needed = Math.min(seg.end(), tail);
          if (stored < needed) throw new DataNotLocalYetException(seg.storeId(), stored, needed);
          // The copy is complete now. Either the next unit did not fit the budget (a legitimate
          // short chunk), or it landed between our read and this check: then read again, so a
          // read that started after an acknowledgement returns it (read-your-writes).
          var next = store.unitAt(seg.storeId(), pos);
          if (next.isEmpty() || next.get().data().length() <= budget) {
            throw new DataNotLocalYetException(seg.storeId(), pos, needed);
          }
        }
        break;
      }
    }
    boolean upToDate = pos >= tail;
    return new ReadChunk(List.copyOf(units), Offset.at(Math.min(fromPos, tail)), Offset.at(pos), upToDate,
        upToDate && view.info().closed(), view);
  }
}
