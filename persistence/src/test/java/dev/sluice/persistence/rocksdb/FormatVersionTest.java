package dev.sluice.persistence.rocksdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.persistence.store.Column;
import dev.sluice.persistence.store.KeyLayout;
import dev.sluice.persistence.store.StreamKey;
import dev.sluice.persistence.support.ReplicaFixtures;
import dev.sluice.persistence.support.TestStorage;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

/**
 * Format version 2 added the {@code repl} column family: a version 1 database (no {@code repl},
 * version 1) still opens, keeps its data, and is recorded as version 2; an unknown version is refused.
 */
class FormatVersionTest {
  private Path dir;

  @BeforeEach
  void newDir() {
    dir = TestStorage.newDir("format-version");
  }

  @AfterEach
  void deleteDir() {
    TestStorage.deleteRecursively(dir);
  }

  /** Rewrites the database in {@code dir} as one of {@code version}, without the column families that version lacks. */
  private void rewriteAs(int version, boolean dropRepl) throws Exception {
    RocksDB.loadLibrary();
    List<byte[]> names;
    try (Options o = new Options()) {
      names = RocksDB.listColumnFamilies(o, dir.toString());
    }
    List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
    for (byte[] n : names) {
      descriptors.add(new ColumnFamilyDescriptor(n));
    }
    List<ColumnFamilyHandle> handles = new ArrayList<>();
    try (DBOptions o = new DBOptions(); RocksDB db = RocksDB.open(o, dir.toString(), descriptors, handles)) {
      for (int i = 0; i < names.size(); i++) {
        String name = new String(names.get(i), StandardCharsets.UTF_8);
        if (name.equals("default")) {
          db.put(handles.get(i), KeyLayout.NODE_FORMAT_VERSION, ByteBuffer.allocate(4).putInt(version).array());
        } else if (dropRepl && name.equals(Column.REPL.cfName())) {
          db.dropColumnFamily(handles.get(i));
        }
      }
      handles.forEach(ColumnFamilyHandle::close);
    }
  }

  private static List<String> columnFamilies(Path dir) throws Exception {
    try (Options o = new Options()) {
      return RocksDB.listColumnFamilies(o, dir.toString()).stream().map(b -> new String(b, StandardCharsets.UTF_8)).toList();
    }
  }

  @Test
  void aVersionOneDatabaseOpensKeepsItsDataAndIsUpgradedInPlace() throws Exception {
    var io = Executors.newSingleThreadExecutor();
    try {
      RocksDbStorage v1 = RocksDbStorage.open(TestStorage.settings(dir));
      v1.journalStore(io).write(List.of(ReplicaFixtures.events("s", "old", 1, 3))).toCompletableFuture().get(10, TimeUnit.SECONDS);
      v1.close();
      rewriteAs(1, true);
      assertFalse(columnFamilies(dir).contains("repl"));

      RocksDbStorage v2 = RocksDbStorage.open(TestStorage.settings(dir));
      List<String> replayed = new ArrayList<>();
      v2.journalStore(io).replay(StreamKey.of("s"), 0, Long.MAX_VALUE, Long.MAX_VALUE,
          e -> replayed.add(e.record().repr().bytes().utf8String())).toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertEquals(List.of("s/old#1", "s/old#2", "s/old#3"), replayed);
      assertEquals(0, v2.replicaStore(0, false).log("s").tailSeq(), "the repl column family exists and is empty");
      v2.close();
      assertTrue(columnFamilies(dir).contains("repl"));

      RocksDB.loadLibrary();
      byte[] version;
      List<ColumnFamilyDescriptor> d = new ArrayList<>();
      for (String n : columnFamilies(dir)) {
        d.add(new ColumnFamilyDescriptor(n.getBytes(StandardCharsets.UTF_8)));
      }
      List<ColumnFamilyHandle> handles = new ArrayList<>();
      try (DBOptions o = new DBOptions(); RocksDB db = RocksDB.openReadOnly(o, dir.toString(), d, handles)) {
        version = db.get(handles.get(0), KeyLayout.NODE_FORMAT_VERSION);
        handles.forEach(ColumnFamilyHandle::close);
      }
      assertEquals(KeyLayout.FORMAT_VERSION, ByteBuffer.wrap(version).getInt());
    } finally {
      io.shutdownNow();
    }
  }

  @Test
  void anUnknownVersionIsRefusedRatherThanMisread() throws Exception {
    RocksDbStorage.open(TestStorage.settings(dir)).close();
    rewriteAs(KeyLayout.FORMAT_VERSION + 1, false);
    RocksDbStorageException e = assertThrows(RocksDbStorageException.class, () -> RocksDbStorage.open(TestStorage.settings(dir)));
    assertTrue(e.getMessage().contains("format version " + (KeyLayout.FORMAT_VERSION + 1) + " is not supported"), e.getMessage());
  }
}
