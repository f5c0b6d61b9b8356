package dev.sluice.persistence.rocksdb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.sluice.persistence.store.Column;
import org.junit.jupiter.api.Test;

/** Read-your-writes within a batch: request over batch over committed, puts over earlier range deletes, failures dropped. */
class BatchOverlayTest {
  private static byte[] k(int i) {
    return new byte[] {0, (byte) i};
  }

  private static byte[] v(String s) {
    return s.getBytes();
  }

  private static void assertFound(BatchOverlay o, int key, String value) {
    assertArrayEquals(v(value), ((BatchOverlay.Found) o.get(Column.REPL, k(key))).value());
  }

  @Test
  void lookupsFollowTheOrderOfWrites() {
    BatchOverlay o = new BatchOverlay();
    assertSame(BatchOverlay.Unknown.INSTANCE, o.get(Column.REPL, k(1)));
    o.put(Column.REPL, k(1), v("a"));
    o.put(Column.REPL, k(5), v("b"));
    o.deleteRange(Column.REPL, k(4), k(9)); // removes 5 put before it
    o.put(Column.REPL, k(6), v("c")); // a put after the range wins
    assertFound(o, 1, "a");
    assertSame(BatchOverlay.Absent.INSTANCE, o.get(Column.REPL, k(5)));
    assertFound(o, 6, "c");
    assertSame(BatchOverlay.Absent.INSTANCE, o.get(Column.REPL, k(8)));
    assertSame(BatchOverlay.Unknown.INSTANCE, o.get(Column.REPL, k(9)), "range end is exclusive");
    assertSame(BatchOverlay.Unknown.INSTANCE, o.get(Column.DEFAULT, k(1)), "columns are separate");
    o.requestSucceeded();
    assertFound(o, 6, "c");

    o.deleteRange(Column.REPL, k(0), k(7)); // a later request cuts the batch's puts
    assertSame(BatchOverlay.Absent.INSTANCE, o.get(Column.REPL, k(1)));
    o.requestFailed(); // ... but it failed
    assertFound(o, 1, "a");
    assertFound(o, 6, "c");

    o.deleteRange(Column.REPL, k(0), k(2));
    o.requestSucceeded();
    assertSame(BatchOverlay.Absent.INSTANCE, o.get(Column.REPL, k(1)));
    assertFound(o, 6, "c");
    o.deleteRange(Column.REPL, k(3), k(3)); // empty: deletes nothing
    assertSame(BatchOverlay.Unknown.INSTANCE, o.get(Column.REPL, k(3)));
  }
}
